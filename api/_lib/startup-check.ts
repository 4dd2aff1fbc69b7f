// Run (through http.ts) when any function starts: a deployment missing what it cannot work
// without fails at once, naming the fix, instead of at the first checkout or receipt that meets it.
import { validateCatalog } from '../../catalog/product-schema.ts';
import { PRODUCTS } from '../../catalog/products.ts';
import { ConfigError } from './config-error.ts';

export function checkStartup(env: Record<string, string | undefined> = process.env) {
  validateCatalog(PRODUCTS);
  const production = env.VERCEL_ENV === 'production' || env.NODE_ENV === 'production';
  if (production && !env.RESEND_API_KEY?.trim()) {
    throw new ConfigError('RESEND_API_KEY is not set: receipts cannot be sent in production. Set it in the deployment settings (see .env.example).');
  }
}

checkStartup();
