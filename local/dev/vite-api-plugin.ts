// Vite plugin for `npm run dev`: serves `api/` functions at /api/* as Vercel does, loading each
// through Vite so that edits apply without a restart. Production (Vercel) never loads this.
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { BodyTooLargeError } from '../http/read-capped.ts';
import { sendWebResponse, tooLarge, toWebRequest, type WebHandler } from './node-web-adapter.ts';
import { resolveApiRoute } from './vercel-routes.ts';

export function apiFunctions(apiDir = resolve('api')): Plugin {
  return {
    name: 'instant-shop:api-functions',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const pathname = new URL(req.url ?? '/', 'http://x').pathname;
        const route = resolveApiRoute(apiDir, pathname);
        if (!route) return pathname.startsWith('/api/') ? void notFound(res, pathname) : next();
        try {
          // Read the body before any await, so no byte of it can be missed while the module loads.
          const request = toWebRequest(req, `http://${req.headers.host ?? 'localhost'}`, route.params);
          request.catch(() => {}); // a refused body is answered below, whether or not a handler exists
          const mod = (await server.ssrLoadModule(route.file)) as Record<string, WebHandler | undefined>;
          const handler = mod[req.method ?? 'GET'];
          if (!handler) {
            const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => mod[m]);
            res.writeHead(405, { allow: allowed.join(', '), 'content-type': 'application/json' });
            return void res.end(
              JSON.stringify({ error: `Method ${req.method} not allowed; use ${allowed.join(' or ')}.` }),
            );
          }
          await sendWebResponse(res, await handler(await request));
        } catch (e) {
          if (e instanceof BodyTooLargeError) return void tooLarge(res, e);
          server.config.logger.error(`api ${pathname}: ${(e as Error).stack ?? e}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'Internal error; see the dev server log.' }));
        }
      });
    },
  };
}

function notFound(res: import('node:http').ServerResponse, pathname: string) {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: `No API function at ${pathname}.` }));
}
