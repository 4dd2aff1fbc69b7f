// A plain node:http server for the `api/` functions (no Vite): Vercel's routing, Web-standard
// handlers. Integration tests and benchmarks use it; `npm run dev` serves the same functions
// through Vite instead.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sendWebResponse, toWebRequest, type WebHandler } from './node-web-adapter.ts';
import { resolveApiRoute } from './vercel-routes.ts';

export async function startApiServer(opts: { port?: number; apiDir?: string } = {}) {
  const apiDir = opts.apiDir ?? resolve('api');
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const route = resolveApiRoute(apiDir, pathname);
    if (!route)
      return void res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `No API function at ${pathname}.` }));
    try {
      // Wrap the body before any await, so no byte of it can be missed while the module loads.
      const request = toWebRequest(req, `http://${req.headers.host}`, route.params);
      const mod = (await import(pathToFileURL(route.file).href)) as Record<string, WebHandler | undefined>;
      const handler = mod[req.method ?? 'GET'];
      if (!handler)
        return void res
          .writeHead(405, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `Method ${req.method} not allowed.` }));
      await sendWebResponse(res, await handler(request));
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Internal error' }));
    }
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
