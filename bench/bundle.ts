// npm run bench:bundle — the production build's JavaScript and CSS for the first page, raw and
// gzip, per chunk; and a scan of every built asset for secrets (the stand-ins' keys and tokens,
// and anything shaped like a Stripe secret, webhook secret or Resend key).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { printTable, type Row } from './support/report.ts';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
}

export async function run(): Promise<Row[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  // Build with values that look like the real settings, so a leak would show up in the scan.
  const secrets = {
    STRIPE_SECRET_KEY: 'sk_test_benchSecretKey0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_benchWebhookSecret0123456789',
    INSTANT_ADMIN_TOKEN: 'bench-admin-token-5f0c2a7e-0d6b-4b8e-9c1f',
    RESEND_API_KEY: 're_benchResendKey0123456789',
  };
  try {
    execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], {
      stdio: 'ignore',
      env: { ...process.env, ...secrets, VITE_INSTANT_APP_ID: '00000000-0000-4000-8000-000000000000' },
    });
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
    const all = files(outDir);
    const patterns = [...Object.values(secrets), /sk_(test|live)_[A-Za-z0-9]{8,}/, /whsec_[A-Za-z0-9]{8,}/, /re_[A-Za-z0-9]{16,}/];
    const leaks = all.filter((f) => {
      const text = readFileSync(f, 'latin1');
      return patterns.some((p) => (typeof p === 'string' ? text.includes(p) : p.test(text)));
    });
    rows.push({ metric: 'all assets (files / bytes)', value: `${all.length} / ${kb(all.reduce((n, f) => n + statSync(f).size, 0))}` });
    rows.push({ metric: 'assets containing a secret', value: leaks.length ? leaks.map((f) => relative(outDir, f)).join(', ') : '0', target: '= 0' });
    return rows;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:bundle', await run());
