// npm run bench:bundle — the production build's JavaScript and CSS for the first page, raw and
// gzip, per chunk; and a scan of every built asset for secrets (the stand-ins' keys and tokens,
// and anything shaped like a Stripe secret, webhook secret or Resend key).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSpa, filesIn, filesWithSecrets } from '../scripts/build-scan.ts';
import { printTable, type Row } from './support/report.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function run(): Promise<Row[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  try {
    buildSpa(outDir);
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const firstPage = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    const rows: Row[] = [];
    let jsGzip = 0;
    for (const asset of firstPage) {
      const buf = readFileSync(join(outDir, asset));
      const gz = gzipSync(buf).length;
      if (asset.endsWith('.js')) jsGzip += gz;
      rows.push({ metric: `first page: ${asset}`, value: `${kb(buf.length)} raw, ${kb(gz)} gzip` });
    }
    rows.push({ metric: 'first-page JavaScript, gzip', value: kb(jsGzip), target: '< 200 KB' });
    const all = filesIn(outDir);
    const leaks = filesWithSecrets(outDir);
    rows.push({ metric: 'all assets (files / bytes)', value: `${all.length} / ${kb(all.reduce((n, f) => n + statSync(f).size, 0))}` });
    rows.push({ metric: 'assets containing a secret', value: leaks.length ? leaks.join(', ') : '0', target: '= 0' });
    return rows;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:bundle', await run());
