// Would each api/ function work once deployed? Vercel compiles every function's TypeScript to
// JavaScript and bundles what its own tracer (@vercel/nft) finds, plus `includeFiles` from
// vercel.json. This does the same into a temporary folder, then checks that every function's
// imports resolve, that the files it reads at run time are in its bundle, and that the bundle
// fits Vercel's function size limit.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { nodeFileTrace } from '@vercel/nft';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../catalog/products.ts';
import { fullResFile, WALLPAPERS } from '../../catalog/wallpapers.ts';

const ROOT = process.cwd();
const VERCEL_LIMIT_BYTES = 250 * 1024 * 1024; // unzipped, per function
const vercel = JSON.parse(readFileSync('vercel.json', 'utf8')) as {
  functions: Record<string, { includeFiles?: string }>;
  rewrites: { source: string; destination: string }[];
};

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}

/** The functions: every .ts under api/ except shared code (files or folders starting with `_`). */
const functions = walk('api')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.split('/').some((s) => s.startsWith('_')))
  .sort();

let out: string;
const traced = new Map<string, { files: Set<string>; warnings: string[] }>();

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'vercel-bundle-'));
  // Compile as Vercel's Node builder does: TypeScript to ESM JavaScript, `.ts` imports to `.js`.
  const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const sources = [
    ...walk('api'),
    ...walk('catalog'),
    ...walk('contracts'),
    'instant.schema.ts',
    'instant.perms.ts',
  ].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of sources) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { ...options, noEmit: false, module: ts.ModuleKind.ESNext },
      fileName: file,
    }).outputText;
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), js);
  }
  cpSync('private', join(out, 'private'), { recursive: true });
  cpSync('package.json', join(out, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  for (const fn of functions) {
    const { fileList, warnings } = await nodeFileTrace([join(out, fn.replace(/\.ts$/, '.js'))], {
      base: out,
      processCwd: out,
    });
    const files = new Set([...fileList]);
    const include = vercel.functions[fn]?.includeFiles;
    if (include) for (const f of walk(join(out, include.replace(/\/\*\*$/, '')))) files.add(relative(out, f));
    traced.set(fn, { files, warnings: [...warnings].map(String) });
  }
}, 120_000);

afterAll(() => out && rmSync(out, { recursive: true, force: true }));

describe('Vercel bundles of api/ functions', () => {
  it('finds the functions', () => {
    expect(functions).toEqual(
      expect.arrayContaining([
        'api/checkout/index.ts',
        'api/stripe/webhook.ts',
        'api/files/wallpaper.ts',
        'api/downloads/[purchaseId].ts',
      ]),
    );
  });

  it('reports how many functions a deployment has, as deploy/instant/README.md states it', () => {
    // Vercel plans limit functions per deployment; the going-live guide says how many there are.
    console.log(`Vercel deploys ${functions.length} functions: ${functions.join(', ')}`);
    const stated = /The shop deploys \*\*(\d+)\*\* functions/.exec(readFileSync('deploy/instant/README.md', 'utf8'));
    expect(stated?.[1]).toBe(String(functions.length));
  });

  it.each(functions)('%s: every import resolves once compiled', (fn) => {
    const missing = traced.get(fn)!.warnings.filter((w) => /Cannot find module|Failed to resolve/i.test(w));
    expect(missing).toEqual([]);
    expect(traced.get(fn)!.files.has(fn.replace(/\.ts$/, '.js'))).toBe(true);
  });

  it.each(functions)('%s: fits the function size limit', (fn) => {
    let bytes = 0;
    for (const f of traced.get(fn)!.files) {
      const p = join(out, f);
      if (existsSync(p)) bytes += statSync(p).size;
    }
    expect(bytes).toBeLessThan(VERCEL_LIMIT_BYTES);
  });

  it('bundles the catalog with every function that sells or fulfills', () => {
    for (const fn of [
      'api/checkout/index.ts',
      'api/stripe/webhook.ts',
      'api/checkout/confirm.ts',
      'api/credits/checkout.ts',
      'api/plans/checkout.ts',
      'api/files/download.ts',
    ]) {
      expect([fn, traced.get(fn)!.files.has('catalog/products.js')]).toEqual([fn, true]);
    }
    expect(traced.get('api/files/wallpaper.ts')!.files.has('catalog/wallpapers.js')).toBe(true);
  });

  it('bundles every full-resolution wallpaper with the wallpaper file function', () => {
    const files = traced.get('api/files/wallpaper.ts')!.files;
    for (const w of WALLPAPERS) expect(files.has(`private/wallpapers/${fullResFile(w.slug)}`)).toBe(true);
  });

  it('bundles every sold download with the download functions', () => {
    const assets = PRODUCTS.flatMap((p) => (p.kind === 'download' ? [`private/products/${p.file}`] : []));
    expect(assets.length).toBeGreaterThan(0);
    for (const fn of ['api/files/download.ts', 'api/downloads/[purchaseId].ts']) {
      for (const a of assets) expect(traced.get(fn)!.files.has(a)).toBe(true);
    }
  });

  it('rewrites every path but /api/* to the SPA', () => {
    const rule = vercel.rewrites.find((r) => r.destination === '/index.html')!;
    const re = new RegExp(`^${rule.source}$`);
    expect(re.test('/success')).toBe(true);
    expect(re.test('/account')).toBe(true);
    expect(re.test('/api/checkout')).toBe(false);
  });
});
