// The production build of the SPA into a folder, and a scan of what it contains: used by
// `npm run bench:bundle` (sizes) and by the deploy tests (no secret and no private file ships).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Setting values shaped like the real ones, so that a leak into the bundle would be found. */
export const DECOY_SECRETS = {
  STRIPE_SECRET_KEY: 'sk_test_benchSecretKey0123456789',
  STRIPE_WEBHOOK_SECRET: 'whsec_benchWebhookSecret0123456789',
  INSTANT_ADMIN_TOKEN: 'bench-admin-token-5f0c2a7e-0d6b-4b8e-9c1f',
  RESEND_API_KEY: 're_benchResendKey0123456789',
  SIGNING_SECRET: 'bench-signing-secret-0123456789',
};

/**
 * Builds in a child with the mode and NODE_ENV set explicitly: Vite bakes `process.env.NODE_ENV`
 * (when set) into the bundle, and a dev server or test runner earlier in this process sets it.
 */
export function buildSpa(outDir: string, opts: { mode?: 'production' | 'development'; sourcemap?: boolean } = {}) {
  const mode = opts.mode ?? 'production';
  const args = [
    'vite',
    'build',
    '--outDir',
    outDir,
    '--emptyOutDir',
    '--mode',
    mode,
    ...(opts.sourcemap ? ['--sourcemap'] : []),
  ];
  execFileSync('npx', args, {
    stdio: 'ignore',
    env: {
      ...process.env,
      ...DECOY_SECRETS,
      NODE_ENV: mode,
      VITE_INSTANT_APP_ID: '00000000-0000-4000-8000-000000000000',
    },
  });
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesIn(join(dir, d.name)) : [join(dir, d.name)],
  );
}

/** Built files (relative paths) that contain a decoy secret or anything shaped like a server key. */
export function filesWithSecrets(dir: string): string[] {
  const patterns: (string | RegExp)[] = [
    ...Object.values(DECOY_SECRETS),
    /sk_(test|live)_[A-Za-z0-9]{8,}/,
    /whsec_[A-Za-z0-9]{8,}/,
    /re_[A-Za-z0-9]{16,}/,
  ];
  return filesIn(dir)
    .filter((f) => {
      const text = readFileSync(f, 'latin1');
      return patterns.some((p) => (typeof p === 'string' ? text.includes(p) : p.test(text)));
    })
    .map((f) => relative(dir, f));
}
