// Run by `handler()` (http.ts) on a function instance's first request: a deployment missing what it
// cannot work without fails at once, naming the fix, instead of at the first checkout or receipt that meets it.
import { validateCatalog } from '../../../catalog/product-schema.ts';
import { PRODUCTS } from '../../../catalog/products.ts';
import { ConfigError } from './config-error.ts';

export const CRON_SECRET_MISSING =
  'CRON_SECRET is not set: set it in the deployment settings so that Vercel Cron can call /api/cron/reconcile.';

/** Settings a production deployment needs; each missing one is named with its fix (in the log, never to a caller). */
const REQUIRED_IN_PRODUCTION: [string, string][] = [
  ['INSTANT_APP_ID', 'INSTANT_APP_ID is not set: set it to your Instant app id (see .env.example).'],
  [
    'INSTANT_ADMIN_TOKEN',
    'INSTANT_ADMIN_TOKEN is not set: copy the admin token of your Instant app (see .env.example).',
  ],
  ['STRIPE_SECRET_KEY', 'STRIPE_SECRET_KEY is not set: set your Stripe secret key (sk_live_… or sk_test_…).'],
  ['STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_SECRET is not set: set the whsec_… of your Stripe webhook endpoint.'],
  ['CRON_SECRET', CRON_SECRET_MISSING],
];

/** Throws for what makes the deployment unusable; returns (and logs) the settings it lacks. */
export function checkStartup(env: Record<string, string | undefined> = process.env): string[] {
  validateCatalog(PRODUCTS);
  const production = env.VERCEL_ENV === 'production' || env.NODE_ENV === 'production';
  if (!production) return [];
  if (!env.RESEND_API_KEY?.trim()) {
    throw new ConfigError(
      'RESEND_API_KEY is not set: receipts cannot be sent in production. Set it in the deployment settings (see .env.example).',
    );
  }
  const missing = REQUIRED_IN_PRODUCTION.filter(([name]) => !env[name]?.trim()).map(([, fix]) => fix);
  for (const fix of missing) console.error(`config: ${fix}`);
  return missing;
}

let passed = false;

/** `checkStartup` once per instance: until it passes, every request re-runs it (and answers 503). */
export function checkStartupOnce(): void {
  if (passed) return;
  checkStartup();
  passed = true;
}
