// The deployment's variables: each set and of the right kind, before any service is asked.
import { validateCatalog } from '../../catalog/product-schema.ts';
import { PRODUCTS } from '../../catalog/products.ts';
import { operatorEmails } from '../../api/_lib/ops/operators.ts';
import { checkSecretKey } from '../../api/_lib/platform/stripe-client.ts';
import { fail, isLoopback, keyPrefix, ok, type Check, type Env } from './check.ts';

export type StripeMode = 'test' | 'live';

/** A Stripe secret or restricted key's mode, or null when it is not one. */
export function stripeMode(key: string | undefined): StripeMode | null {
  const m = /^(?:sk|rk)_(test|live)_/.exec(key?.trim() ?? '');
  return m ? (m[1] as StripeMode) : null;
}

/** Production: Vercel's or Node's production flag, or a live Stripe key (real money). */
export function isProduction(env: Env): boolean {
  return (
    env.VERCEL_ENV === 'production' || env.NODE_ENV === 'production' || stripeMode(env.STRIPE_SECRET_KEY) === 'live'
  );
}

/** Deployed on Vercel (also true for settings pulled with `vercel env pull`). */
export function onVercel(env: Env): boolean {
  return Boolean(env.VERCEL || env.VERCEL_ENV);
}

/** The address part of `MAIL_FROM` ("Shop <receipts@shop.example>" or a bare address). */
export function mailFromAddress(from: string): string | null {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(from);
  return m ? m[1] : null;
}

export const DEFAULT_MAIL_FROM = 'instant-shop <receipts@instant-shop.local>';

const isSet = (v: string | undefined) => Boolean(v?.trim());

function publicHttpsProblem(name: string, value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} is not a URL (got "${value}")`;
  }
  if (url.protocol !== 'https:') return `${name} must be https:// in production (got ${url.protocol}//${url.host})`;
  const host = url.hostname;
  if (isLoopback(host) || /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/.test(host) || host.endsWith('.local')) {
    return `${name} must be a public address in production (got ${url.host})`;
  }
  return null;
}

export function checkEnv(env: Env): Check[] {
  const production = isProduction(env);
  const checks: Check[] = [];
  const where = 'in .env.local, or in the Vercel project settings';

  // Instant
  const missingInstant = ['INSTANT_APP_ID', 'INSTANT_ADMIN_TOKEN'].filter((k) => !isSet(env[k]));
  checks.push(
    missingInstant.length
      ? fail(
          `Instant: ${missingInstant.join(' and ')} not set`,
          `set ${missingInstant.join(' and ')} ${where} (your Instant app's id and admin token)`,
        )
      : ok(`Instant: app ${env.INSTANT_APP_ID!.trim()} with an admin token`),
  );
  if (isSet(env.INSTANT_API_URI)) {
    const problem = production
      ? publicHttpsProblem('INSTANT_API_URI', env.INSTANT_API_URI!.trim())
      : URL.canParse(env.INSTANT_API_URI!.trim())
        ? null
        : 'INSTANT_API_URI is not a URL';
    checks.push(
      problem
        ? fail(problem, "set INSTANT_API_URI to your Instant server's public https address")
        : ok(`Instant: server ${env.INSTANT_API_URI!.trim()}`),
    );
  }
  // The browser's copies (read at build time), when they are at hand, must name the same server.
  for (const [copy, of] of [
    ['VITE_INSTANT_APP_ID', 'INSTANT_APP_ID'],
    ['VITE_INSTANT_API_URI', 'INSTANT_API_URI'],
    ['VITE_INSTANT_WEBSOCKET_URI', 'INSTANT_WEBSOCKET_URI'],
  ]) {
    if (isSet(env[copy]) && isSet(env[of]) && env[copy]!.trim() !== env[of]!.trim()) {
      checks.push(
        fail(
          `${copy} differs from ${of}: the browser and the server would use different Instant settings`,
          `set ${copy} to the value of ${of} and rebuild`,
        ),
      );
    }
  }
  const ws = env.VITE_INSTANT_WEBSOCKET_URI?.trim() || env.INSTANT_WEBSOCKET_URI?.trim();
  if (ws && production && !/^wss:\/\/[^/]+\/runtime\/session$/.test(ws)) {
    checks.push(
      fail(
        `Instant's WebSocket address must be wss://<server>/runtime/session in production (got ${ws})`,
        'set INSTANT_WEBSOCKET_URI and VITE_INSTANT_WEBSOCKET_URI to wss://<your Instant server>/runtime/session',
      ),
    );
  }

  // Stripe
  let mode: StripeMode | null = null;
  try {
    const key = checkSecretKey(env.STRIPE_SECRET_KEY);
    mode = stripeMode(key);
    checks.push(ok(`STRIPE_SECRET_KEY is a ${mode}-mode secret key (${keyPrefix(key)})`));
  } catch (e) {
    const found = env.STRIPE_SECRET_KEY?.trim() ? ` (found ${keyPrefix(env.STRIPE_SECRET_KEY)})` : '';
    const label = env.STRIPE_SECRET_KEY?.trim().startsWith('pk_')
      ? `STRIPE_SECRET_KEY holds a publishable key${found}`
      : `STRIPE_SECRET_KEY is not a Stripe secret key${found}`;
    checks.push(fail(label, (e as Error).message));
  }
  const priceEnv = env.STRIPE_PRICE_ENV?.trim() || 'test';
  if (mode) {
    const expected = mode === 'live' ? 'live' : 'test';
    checks.push(
      (priceEnv === 'live') === (mode === 'live')
        ? ok(`Stripe: ${mode}-mode key with STRIPE_PRICE_ENV=${priceEnv}`)
        : fail(
            `Stripe: a ${mode}-mode key with STRIPE_PRICE_ENV=${priceEnv}`,
            `set STRIPE_PRICE_ENV=${expected}, or use the ${priceEnv}-mode secret key`,
          ),
    );
  }
  const whsec = env.STRIPE_WEBHOOK_SECRET?.trim();
  checks.push(
    !whsec
      ? fail(
          'STRIPE_WEBHOOK_SECRET not set: every webhook would be refused',
          "run `npm run stripe:setup` and set the whsec_… it prints (or copy the endpoint's signing secret from the Stripe dashboard)",
        )
      : whsec.startsWith('whsec_')
        ? ok('STRIPE_WEBHOOK_SECRET is a webhook signing secret (whsec_…)')
        : fail(
            `STRIPE_WEBHOOK_SECRET is not a signing secret (found ${keyPrefix(whsec)})`,
            "set it to the endpoint's signing secret, which starts with whsec_",
          ),
  );

  // The shop's address
  const appUrl = env.APP_URL?.trim();
  if (!appUrl) {
    checks.push(
      fail('APP_URL not set', `set APP_URL ${where} to the shop's public URL, e.g. https://shop.example.com`),
    );
  } else {
    const problem = production
      ? publicHttpsProblem('APP_URL', appUrl)
      : URL.canParse(appUrl)
        ? null
        : `APP_URL is not a URL (got "${appUrl}")`;
    checks.push(
      problem
        ? fail(problem, "set APP_URL to the shop's public https URL, e.g. https://shop.example.com")
        : ok(`APP_URL ${appUrl}`),
    );
  }

  // Stand-ins never in production
  if (production) {
    for (const k of ['STRIPE_API_BASE', 'RESEND_BASE_URL']) {
      if (isSet(env[k]))
        checks.push(
          fail(`${k} is set in production: it points at a local stand-in`, `remove ${k} from the production settings`),
        );
    }
  }

  // Operators
  const operators = operatorEmails(env);
  checks.push(
    operators.size
      ? ok(`OPERATOR_EMAILS: ${operators.size} operator${operators.size > 1 ? 's' : ''}`)
      : fail(
          'OPERATOR_EMAILS is empty: nobody can use /ops',
          `set OPERATOR_EMAILS ${where} to your email (comma-separated for several)`,
        ),
  );

  // Cron
  if (onVercel(env)) {
    const secret = env.CRON_SECRET?.trim();
    checks.push(
      !secret
        ? fail(
            'CRON_SECRET not set: Vercel Cron cannot call the daily reconcile',
            'set CRON_SECRET in the Vercel project settings to a random string of 16+ characters (e.g. `openssl rand -hex 24`)',
          )
        : secret.length < 16
          ? fail(
              'CRON_SECRET is shorter than 16 characters',
              'use a random string of 16+ characters (e.g. `openssl rand -hex 24`)',
            )
          : ok('CRON_SECRET set for Vercel Cron'),
    );
  }

  // Mail
  const resendKey = env.RESEND_API_KEY?.trim();
  if (!resendKey) {
    checks.push(
      production
        ? fail(
            'RESEND_API_KEY not set: receipts cannot be sent',
            `set RESEND_API_KEY ${where} (a key from https://resend.com/api-keys)`,
          )
        : ok('RESEND_API_KEY not set: receipts are skipped (allowed outside production)'),
    );
  } else {
    checks.push(
      resendKey.startsWith('re_')
        ? ok(`RESEND_API_KEY is a Resend key (${keyPrefix(resendKey)})`)
        : fail(
            `RESEND_API_KEY is not a Resend key (found ${keyPrefix(resendKey)})`,
            'set it to a key from https://resend.com/api-keys (they start with re_)',
          ),
    );
  }
  const from = env.MAIL_FROM?.trim();
  if (from) {
    checks.push(
      mailFromAddress(from)
        ? ok(`MAIL_FROM ${from}`)
        : fail(
            `MAIL_FROM is not an address (got "${from}")`,
            'set MAIL_FROM to e.g. "Shop <receipts@your-domain.example>"',
          ),
    );
  } else if (production) {
    checks.push(
      fail(
        'MAIL_FROM not set: receipts would come from instant-shop.local, which no one can verify',
        'set MAIL_FROM to an address on a domain verified in Resend, e.g. "Shop <receipts@your-domain.example>"',
      ),
    );
  }

  // The catalog
  try {
    validateCatalog(PRODUCTS);
    checks.push(ok(`catalog/products.ts: ${PRODUCTS.length} products`));
  } catch (e) {
    checks.push(fail('catalog/products.ts is not valid', (e as Error).message));
  }
  return checks;
}
