// npm run bench:bundle — the production build's first page: JavaScript and CSS, raw and gzip, per
// chunk and by package; a check that no development-only code ships in it; and a scan of every
// built asset for secrets (the stand-ins' keys and tokens, and anything shaped like a Stripe
// secret, webhook secret or Resend key). Always a production build, whatever ran before in this
// process (`npm run bench` runs the dev-stack benches first, whose Vite server sets NODE_ENV).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSpa, filesIn, filesWithSecrets } from '../scripts/build-scan.ts';
import { firstPageRows, measureFirstPage, type FirstPage } from './support/first-page.ts';
import { exitOnMissedTargets, printTable, type Row } from './support/report.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Builds for production (with source maps, for the composition) and measures. */
export function measureProductionBuild(): { firstPage: FirstPage; files: number; bytes: number; leaks: string[] } {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  try {
    buildSpa(outDir, { mode: 'production', sourcemap: true });
    const all = filesIn(outDir).filter((f) => !f.endsWith('.map'));
    return {
      firstPage: measureFirstPage(outDir),
      files: all.length,
      bytes: all.reduce((n, f) => n + statSync(f).size, 0),
      leaks: filesWithSecrets(outDir),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Row[]> {
  const m = measureProductionBuild();
  return [
    ...firstPageRows(m.firstPage),
    { metric: 'all assets but source maps (files / bytes)', value: `${m.files} / ${kb(m.bytes)}` },
    {
      metric: 'assets containing a secret',
      value: m.leaks.length ? m.leaks.join(', ') : '0',
      target: '= 0',
      ok: m.leaks.length === 0,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  printTable('bench:bundle', rows);
  exitOnMissedTargets(rows);
}
