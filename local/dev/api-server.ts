// A plain node:http server for the `api/` functions (no Vite): Vercel's routing, Web-standard
// handlers. Integration tests and benchmarks use it; `npm run dev` serves the same functions
// through Vite instead.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BodyTooLargeError } from '../http/read-capped.ts';
import { sendWebResponse, tooLarge, toWebRequest, type WebHandler } from './node-web-adapter.ts';
import { apiFunctionFiles, resolveApiRoute } from './vercel-routes.ts';

/** `preload`: import every function before listening, as a warm deployment has them loaded. */
export async function startApiServer(opts: { port?: number; apiDir?: string; preload?: boolean } = {}) {
  const apiDir = opts.apiDir ?? resolve('api');
  // Each function's module, imported once (as a warm Vercel instance keeps it): a repeated
  // import() still asks the module loader's hooks (tsx's, in another thread) every time.
  const modules = new Map<string, Promise<Record<string, WebHandler | undefined>>>();
  const load = (file: string) => {
    let mod = modules.get(file);
    if (!mod) {
      modules.set(file, (mod = import(pathToFileURL(file).href)));
      mod.catch(() => modules.delete(file));
    }
    return mod;
  };
  // Where each path leads, looked up on disk once per path (a deployment's routes are fixed);
  // dynamic segments make paths many, so the memo is dropped when it grows large.
  const routes = new Map<string, ReturnType<typeof resolveApiRoute>>();
  const routeOf = (pathname: string) => {
    if (routes.has(pathname)) return routes.get(pathname)!;
    if (routes.size >= 1000) routes.clear();
    const route = resolveApiRoute(apiDir, pathname);
    routes.set(pathname, route);
    return route;
  };
  if (opts.preload) await Promise.all(apiFunctionFiles(apiDir).map(load));
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routeOf(pathname);
    if (!route)
      return void res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `No API function at ${pathname}.` }));
    try {
      // Read the body before any await, so no byte of it can be missed while the module loads.
      const request = toWebRequest(req, `http://${req.headers.host}`, route.params);
      request.catch(() => {}); // a refused body is answered below, whether or not a handler exists
      const mod = await load(route.file);
      const handler = mod[req.method ?? 'GET'];
      if (!handler)
        return void res
          .writeHead(405, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `Method ${req.method} not allowed.` }));
      await sendWebResponse(res, await handler(await request));
    } catch (e) {
      if (e instanceof BodyTooLargeError) return void tooLarge(res, e);
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
