// What the first page of a built SPA loads: its JavaScript and CSS, raw and gzip; which packages
// the JavaScript is made of (from the source maps); and whether any development-only build of a
// package (React's *.development.js, react-router's dist/development/) slipped in.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Row } from './report.ts';

export const FIRST_PAGE_JS_GZIP_LIMIT = 140 * 1024;

export type FirstPage = {
  assets: { file: string; raw: number; gzip: number }[];
  jsGzip: number;
  /** Characters of the first page's minified JavaScript by package, largest first. */
  packages: { name: string; chars: number }[];
  /** Source files of development-only builds that contribute code to the first page. */
  developmentOnly: string[];
  /** First-page scripts built without a source map (so their composition is unknown). */
  unmapped: string[];
};

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function measureFirstPage(outDir: string): FirstPage {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const assets = files.map((file) => {
    const buf = readFileSync(join(outDir, file));
    return { file, raw: buf.length, gzip: gzipSync(buf).length };
  });
  const bySource = new Map<string, number>();
  const unmapped: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const map = join(outDir, `${file}.map`);
    if (!existsSync(map)) {
      unmapped.push(file);
      continue;
    }
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const [source, chars] of charsBySource(code, JSON.parse(readFileSync(map, 'utf8')))) {
      bySource.set(source, (bySource.get(source) ?? 0) + chars);
    }
  }
  const byPackage = new Map<string, number>();
  for (const [source, chars] of bySource)
    byPackage.set(packageOf(source), (byPackage.get(packageOf(source)) ?? 0) + chars);
  return {
    assets,
    jsGzip: assets.filter((a) => a.file.endsWith('.js')).reduce((n, a) => n + a.gzip, 0),
    packages: [...byPackage].map(([name, chars]) => ({ name, chars })).sort((a, b) => b.chars - a.chars),
    developmentOnly: [...bySource.keys()]
      .filter((s) => /(^|\/)development\/|\.development\.[cm]?js$/.test(s))
      .map(shortPath),
    unmapped,
  };
}

/** The bench's rows: sizes per asset, composition by package, and the pass/fail checks. */
export function firstPageRows(m: FirstPage): Row[] {
  const rows: Row[] = m.assets.map((a) => ({
    metric: `first page: ${a.file}`,
    value: `${kb(a.raw)} raw, ${kb(a.gzip)} gzip`,
  }));
  const total = m.packages.reduce((n, p) => n + p.chars, 0);
  for (const p of m.packages) {
    const share = p.chars / total;
    // gzip does not add up per part: each package's share of the minified code, applied to the total.
    rows.push({
      metric: `first-page JavaScript: ${p.name}`,
      value: `${(share * 100).toFixed(1)} %, ≈ ${kb(share * m.jsGzip)} gzip`,
    });
  }
  rows.push({
    metric: 'first-page JavaScript, gzip',
    value: kb(m.jsGzip),
    target: `≤ ${kb(FIRST_PAGE_JS_GZIP_LIMIT)}`,
    ok: m.jsGzip <= FIRST_PAGE_JS_GZIP_LIMIT,
  });
  rows.push({
    metric: 'development-only code in the first page',
    value: m.developmentOnly.length ? m.developmentOnly.join(', ') : 'none',
    target: 'none',
    ok: m.developmentOnly.length === 0,
  });
  if (m.unmapped.length)
    rows.push({
      metric: 'first-page scripts without a source map',
      value: m.unmapped.join(', '),
      target: 'none',
      ok: false,
    });
  return rows;
}

/** `node_modules/<pkg>` (or `@scope/pkg`) for dependencies; the project's own code otherwise. */
function packageOf(source: string): string {
  if (source === '(unmapped)') return source;
  const i = source.lastIndexOf('node_modules/');
  if (i < 0) return 'instant-shop (web/, catalog/)';
  const [first, second] = source.slice(i + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

function shortPath(source: string): string {
  const i = source.lastIndexOf('node_modules/');
  return i < 0 ? source : source.slice(i + 'node_modules/'.length);
}

type SourceMap = { sources: string[]; mappings: string };

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Each source's share of `code`: a mapping segment owns the characters up to the next segment. */
function charsBySource(code: string, map: SourceMap): Map<string, number> {
  const lines = code.split('\n');
  const out = new Map<string, number>();
  const add = (source: string, n: number) => n > 0 && out.set(source, (out.get(source) ?? 0) + n);
  let source = 0; // source index is relative to the previous segment's, across lines
  const mapped = map.mappings.split(';');
  // Lines past the mappings (the sourceMappingURL comment) count as unmapped.
  lines.forEach((code, lineNo) => {
    const line = mapped[lineNo] ?? '';
    const length = code.length;
    let column = 0;
    let owner = '(unmapped)';
    let start = 0;
    for (const segment of line ? line.split(',') : []) {
      const fields = decodeVlq(segment);
      column += fields[0];
      add(owner, column - start);
      start = column;
      if (fields.length >= 4) {
        source += fields[1];
        owner = map.sources[source];
      } else {
        owner = '(unmapped)';
      }
    }
    add(owner, length - start);
  });
  return out;
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
