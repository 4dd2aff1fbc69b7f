// `npm run dev`'s Vite server, asked as a stranger on its port would: it serves what the SPA
// loads and refuses secrets (.data/, .env*), the paid files (private/) and server code (api/,
// local/, scripts/), through /@fs/, Vite's query suffixes, and plain (traversing) paths.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFrom } from './support/from-address.ts';

const root = resolve('.');
const marker = `secret-${randomUUID()}`;
const tag = randomUUID().slice(0, 8);
// Files made for the test (each holds the marker) and real ones (their first line is the marker).
const made = [
  '.data/fs-probe.json',
  '.env.fs-probe',
  'private/fs-probe.txt',
  'local/fs-probe.txt',
  'api/_fs-probe.txt',
  'scripts/fs-probe.txt',
].map((p) => p.replace('fs-probe', `fs-probe-${tag}`));
const real = [
  'local/instant/server.ts',
  'api/health.ts',
  'api/_lib/platform/instant-admin.ts',
  'scripts/dev.ts',
  '.env.example',
];
const firstLine = (p: string) =>
  readFileSync(resolve(root, p), 'utf8')
    .split('\n')
    .find((l) => l.trim().length > 8)!;

let vite: ViteDevServer;
let base: string;
beforeAll(async () => {
  for (const p of made) {
    mkdirSync(resolve(root, p, '..'), { recursive: true });
    writeFileSync(resolve(root, p), `${marker}\n`);
  }
  vite = await createServer({
    configFile: resolve('vite.config.ts'),
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
  });
  await vite.listen();
  const address = vite.httpServer!.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await vite?.close();
  for (const p of made) rmSync(resolve(root, p), { force: true });
});

const get = (path: string) => requestFrom('127.0.0.1', `${base}${path}`);

/** Every way a stranger might name `rel` to the dev server. */
function askings(rel: string): string[] {
  const abs = `${root}/${rel}`;
  const fs = [
    `/@fs${abs}`,
    `/@fs${abs}?raw`,
    `/@fs${abs}?import&raw`,
    `/@fs${abs}?url`,
    `/@fs${abs}?inline`,
    `/@fs${abs}?raw??`,
    `/@fs${abs}?import&?raw`,
  ];
  const plain = [
    `/${rel}`,
    `/../${rel}`,
    `/%2e%2e/${rel}`,
    `/..%2f${rel}`,
    `/@fs/web/../${rel}`,
    `/@id/${abs}`,
    `/${rel}?raw`,
  ];
  return [...fs, ...plain];
}

describe('refused', () => {
  for (const rel of [...made, ...real]) {
    it(`never gives out ${rel.replace(tag, '<tag>')}`, async () => {
      const secret = made.includes(rel) ? marker : firstLine(rel);
      for (const path of askings(rel)) {
        const res = await get(path);
        expect(res.text, path).not.toContain(secret);
        if (path === `/@fs${root}/${rel}`) expect(res.status, path).toBe(403);
      }
    });
  }

  it('refuses the paid files and the local database however named', async () => {
    const pdf = readFileSync(resolve(root, 'private/products/wallpaper-field-guide.pdf'))
      .subarray(0, 64)
      .toString('latin1');
    for (const path of askings('private/products/wallpaper-field-guide.pdf'))
      expect((await get(path)).text, path).not.toContain(pdf.slice(8));
    expect((await get(`/@fs${root}/private/products/wallpaper-field-guide.pdf`)).status).toBe(403);
    // A directory is no listing either (Vite answers the SPA page).
    expect((await get(`/@fs${root}/.data/`)).text).not.toContain(`fs-probe-${tag}`);
  });
});

describe('served', () => {
  it('still serves the SPA: the page, its modules, and the shared files it imports', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/src/main.tsx');
    for (const path of [
      '/src/main.tsx',
      '/@vite/client',
      `/@fs${root}/instant.schema.ts`,
      `/@fs${root}/catalog/products.ts`,
      `/@fs${root}/contracts/ops.ts`,
    ]) {
      expect((await get(path)).status, path).toBe(200);
    }
    // The app's own module graph (not pre-bundled deps) loads without a refusal.
    const seen = new Set<string>();
    const queue = ['/src/main.tsx'];
    while (queue.length) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await get(path);
      expect(res.status, path).toBe(200);
      for (const m of res.text.matchAll(/(?:import|from)\s*["']([^"']+)["']/g)) {
        const next = m[1];
        if ((next.startsWith('/src/') || next.startsWith('/@fs/')) && !next.includes('/node_modules/'))
          queue.push(next);
      }
    }
    expect([...seen].some((p) => p.includes('/catalog/'))).toBe(true);
    expect([...seen].some((p) => p.endsWith('instant.schema.ts'))).toBe(true);
  });

  it('still serves the api/ functions at /api/*', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
  });
});
