// Vercel's filesystem routing for `api/`, so that `npm run dev` serves each function at the path
// Vercel gives it: api/a/b.ts -> /api/a/b, api/a/index.ts -> /api/a, api/a/[id].ts -> /api/a/:id
// (the segment arrives as the `id` query parameter, as on Vercel). Files and folders starting with
// `_` are not functions (api/_lib holds shared code).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type RouteMatch = { file: string; params: Record<string, string> };

export function resolveApiRoute(apiDir: string, pathname: string): RouteMatch | null {
  if (!pathname.startsWith('/api/') && pathname !== '/api') return null;
  const segments = pathname.slice('/api'.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (segments.some((s) => s.startsWith('_') || s === '..' || s === '.')) return null;
  return walk(apiDir, segments, {});
}

function walk(dir: string, segments: string[], params: Record<string, string>): RouteMatch | null {
  if (segments.length === 0) {
    const index = join(dir, 'index.ts');
    return existsSync(index) ? { file: index, params } : null;
  }
  const [head, ...rest] = segments;
  if (rest.length === 0 && existsSync(join(dir, `${head}.ts`))) return { file: join(dir, `${head}.ts`), params };
  if (isDir(join(dir, head))) {
    const hit = walk(join(dir, head), rest, params);
    if (hit) return hit;
  }
  // Dynamic segments: [name].ts or [name]/
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^\[([A-Za-z0-9_]+)\](\.ts)?$/.exec(entry);
    if (!m) continue;
    const next = { ...params, [m[1]]: head };
    if (m[2] && rest.length === 0) return { file: join(dir, entry), params: next };
    if (!m[2] && isDir(join(dir, entry))) {
      const hit = walk(join(dir, entry), rest, next);
      if (hit) return hit;
    }
  }
  return null;
}

function isDir(p: string) {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Every function file under `apiDir` (what Vercel would deploy as a function). */
export function apiFunctionFiles(apiDir: string): string[] {
  return readdirSync(apiDir).flatMap((entry) => {
    if (entry.startsWith('_') || entry.startsWith('.')) return [];
    const path = join(apiDir, entry);
    if (isDir(path)) return apiFunctionFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? [path] : [];
  });
}
