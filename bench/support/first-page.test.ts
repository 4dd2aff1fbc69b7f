// The bundle bench measures a production build whatever ran before it in the process (`npm run
// bench` runs the dev-stack benches first, whose Vite dev server sets NODE_ENV=development), tells
// the first page's composition by package, and fails on development-only code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpa, filesIn } from '../../scripts/build-scan.ts';
import { measureProductionBuild } from '../bundle.ts';
import { FIRST_PAGE_JS_GZIP_LIMIT, firstPageRows, measureFirstPage } from './first-page.ts';

const nodeEnv = process.env.NODE_ENV;
afterAll(() => {
  process.env.NODE_ENV = nodeEnv;
});

describe('bundle bench', () => {
  it('reports the same production first page alone and after a Vite dev server ran in the process', async () => {
    delete process.env.NODE_ENV;
    const alone = measureProductionBuild().firstPage;
    const devServer = await createServer({
      configFile: false,
      root: 'web',
      logLevel: 'silent',
      server: { middlewareMode: true },
    });
    await devServer.close();
    expect(process.env.NODE_ENV).toBe('development'); // what the combined run's bundle step inherits
    const afterDev = measureProductionBuild().firstPage;
    expect(afterDev.jsGzip).toBe(alone.jsGzip);
    expect(afterDev.assets).toEqual(alone.assets);
    expect(afterDev.developmentOnly).toEqual([]);
    expect(afterDev.jsGzip).toBeLessThanOrEqual(FIRST_PAGE_JS_GZIP_LIMIT);
    expect(firstPageRows(afterDev).filter((r) => r.ok === false)).toEqual([]);
    // Composition: every character of the first page's scripts is owned by some package.
    const names = afterDev.packages.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['react-dom', 'react-router', '@instantdb/core', 'instant-shop (web/, catalog/)']),
    );
    expect(names).not.toContain('stripe');
    const dir = mkdtempSync(join(tmpdir(), 'first-page-'));
    try {
      buildSpa(dir, { sourcemap: true });
      const m = measureFirstPage(dir);
      const scripts = m.assets
        .filter((a) => a.file.endsWith('.js'))
        .map((a) => readFileSync(join(dir, a.file), 'utf8'));
      const chars = scripts.reduce((n, code) => n + code.length - code.split('\n').length + 1, 0);
      expect(m.packages.reduce((n, p) => n + p.chars, 0)).toBe(chars);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('fails on a build whose first page holds development-only code, and on one without source maps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'first-page-dev-'));
    try {
      buildSpa(dir, { mode: 'development', sourcemap: true });
      const dev = measureFirstPage(dir);
      expect(dev.developmentOnly).toEqual(expect.arrayContaining(['react-dom/cjs/react-dom-client.development.js']));
      expect(dev.developmentOnly.some((s) => s.startsWith('react-router/dist/development/'))).toBe(true);
      const failed = firstPageRows(dev)
        .filter((r) => r.ok === false)
        .map((r) => r.metric);
      expect(failed).toContain('development-only code in the first page');
      for (const f of filesIn(dir).filter((f) => f.endsWith('.map'))) rmSync(f);
      const blind = measureFirstPage(dir);
      expect(
        firstPageRows(blind)
          .filter((r) => r.ok === false)
          .map((r) => r.metric),
      ).toContain('first-page scripts without a source map');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
