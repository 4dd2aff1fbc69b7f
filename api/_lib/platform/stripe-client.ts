import Stripe from 'stripe';

/** The API version every request and webhook endpoint uses: the installed SDK's own. */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

type Env = Record<string, string | undefined>;

export class StripeConfigError extends Error {
  override name = 'StripeConfigError';
}

/** Host, port and protocol for the SDK from `STRIPE_API_BASE` (local stand-in only). */
export function parseApiBase(base: string): { host: string; port: number; protocol: 'http' | 'https' } {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new StripeConfigError(`STRIPE_API_BASE must be a URL such as http://127.0.0.1:12111 (got "${base}").`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StripeConfigError(`STRIPE_API_BASE must start with http:// or https:// (got "${base}").`);
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new StripeConfigError(
      `STRIPE_API_BASE must be an origin without a path, e.g. http://127.0.0.1:12111 (got "${base}").`,
    );
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}

/** Checks `STRIPE_SECRET_KEY` and says exactly what is wrong and where to find the right key. */
export function checkSecretKey(key: string | undefined): string {
  const where = 'Find it at https://dashboard.stripe.com/test/apikeys (locally, `npm run dev` sets it for you).';
  if (!key || !key.trim()) {
    throw new StripeConfigError(
      `STRIPE_SECRET_KEY is not set. It must be your Stripe secret key, which starts with sk_test_ or sk_live_. ${where}`,
    );
  }
  const trimmed = key.trim();
  if (trimmed.startsWith('pk_')) {
    throw new StripeConfigError(
      `STRIPE_SECRET_KEY holds a publishable key (pk_…). The server needs the secret key, which starts with sk_ (sk_test_ or sk_live_). ${where}`,
    );
  }
  if (!/^(sk|rk)_(test|live)_/.test(trimmed)) {
    throw new StripeConfigError(
      `STRIPE_SECRET_KEY does not look like a Stripe secret key: it must start with sk_test_ or sk_live_. ${where}`,
    );
  }
  return trimmed;
}

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

// Wait far shorter than the SDK's 80 s default: a webhook handler must answer Stripe in time, and a
// call that timed out is retried (under the same idempotency key) or fails so Stripe redelivers.
const DEFAULT_TIMEOUT_MS = 10_000;
const RATE_LIMIT_RETRIES = 3;
const MAX_RATE_LIMIT_WAIT_MS = 2_000;

export function stripeTimeoutMs(env: Env): number {
  const v = Number(env.STRIPE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT_MS;
}

/**
 * The SDK retries 5xx answers and lost connections itself, but not 429. A 429 never ran, so it
 * is retried here after `Retry-After` (capped), with the same headers and idempotency key.
 */
export function retryRateLimits(inner: HttpClient, retries = RATE_LIMIT_RETRIES): HttpClient {
  const client = Object.create(inner) as HttpClient;
  client.makeRequest = async (...args) => {
    for (let n = 1; ; n++) {
      const res = await inner.makeRequest(...args);
      if (res.getStatusCode() !== 429 || n > retries) return res;
      await res.toJSON().catch(() => undefined);
      const retryAfterMs = Number(res.getHeaders()['retry-after']) * 1000;
      const wait = Math.min(
        MAX_RATE_LIMIT_WAIT_MS,
        Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 250 * 2 ** (n - 1),
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  return client;
}

/** Builds a client from environment variables; `createStripe(process.env)` is what `getStripe` caches. */
export function createStripe(env: Env): Stripe {
  const key = checkSecretKey(env.STRIPE_SECRET_KEY);
  const base = env.STRIPE_API_BASE?.trim();
  return new Stripe(key, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: stripeTimeoutMs(env),
    httpClient: retryRateLimits(Stripe.createNodeHttpClient()),
    appInfo: { name: 'instant-shop' },
    ...(base ? parseApiBase(base) : {}),
  });
}

let client: { key: string; stripe: Stripe } | null = null;

/** The app's one Stripe client, made on first use so a missing key fails where it is needed (and again if the key changes). */
export function getStripe(): Stripe {
  const key = `${process.env.STRIPE_SECRET_KEY}|${process.env.STRIPE_API_BASE ?? ''}|${process.env.STRIPE_TIMEOUT_MS ?? ''}`;
  if (client?.key !== key) client = { key, stripe: createStripe(process.env) };
  return client.stripe;
}
