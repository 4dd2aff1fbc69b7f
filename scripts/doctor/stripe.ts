// Stripe, as the shop will meet it: the webhook endpoint for APP_URL (enabled, every handled
// event, the pinned API version), a live price for every catalog product, and every configured
// payment link active and resolving to its product. Reads only.
import type Stripe from 'stripe';
import { PRODUCTS, findProduct, type Product } from '../../catalog/products.ts';
import { UNKNOWN_TYPE_FIX } from '../../api/_lib/fulfillment/resolve-purchase-type.ts';
import { STRIPE_API_VERSION } from '../../api/_lib/platform/stripe-client.ts';
import { HANDLED_STRIPE_EVENTS } from '../../api/_lib/fulfillment/handled-events.ts';
import { webhookUrlFor } from '../stripe-setup.ts';
import {
  cannotVerify,
  fail,
  isNetworkError,
  keyPrefix,
  ok,
  sameUrl,
  unreachable,
  type Check,
  type Env,
} from './check.ts';
import { stripeMode } from './env.ts';

const SETUP = '`npm run stripe:setup`';
const LINK_PREFIX = 'VITE_CHECKOUT_URL_';

/** The payment links configured for the build: `VITE_CHECKOUT_URL_<PRODUCT_ID>` (as web/src reads them). */
export function configuredLinks(env: Env): { variable: string; productId: string; url: string }[] {
  return Object.entries(env).flatMap(([variable, url]) =>
    variable.startsWith(LINK_PREFIX) && url?.trim()
      ? [{ variable, productId: variable.slice(LINK_PREFIX.length).toLowerCase().replace(/_/g, '-'), url: url.trim() }]
      : [],
  );
}

export function stripeAddress(env: Env): string {
  return env.STRIPE_API_BASE?.trim() || 'https://api.stripe.com';
}

/** A Stripe error as one line: the address when it did not answer, the key's prefix when refused. */
export function stripeProblem(env: Env, e: unknown): Check {
  if (isNetworkError(e))
    return fail(
      unreachable('Stripe', stripeAddress(env), e),
      'check STRIPE_API_BASE (local only) and the network, then run the doctor again',
    );
  const err = e as Stripe.errors.StripeError;
  if (err?.type === 'StripeAuthenticationError' || err?.statusCode === 401) {
    return fail(
      `Stripe refused STRIPE_SECRET_KEY (${keyPrefix(env.STRIPE_SECRET_KEY)})`,
      'copy the secret key again from https://dashboard.stripe.com/apikeys',
    );
  }
  return fail(
    `Stripe answered an error: ${err?.message ?? String(e)}`,
    'see the message; run the doctor again once fixed',
  );
}

export async function checkWebhookEndpoint(
  env: Env,
  stripe: Stripe,
  opts: { liveTest?: boolean } = {},
): Promise<Check[]> {
  const appUrl = env.APP_URL?.trim();
  if (!appUrl || !URL.canParse(appUrl)) return []; // env.ts reports APP_URL; the endpoint's URL follows from it
  const target = webhookUrlFor(appUrl);
  const endpoints: Stripe.WebhookEndpoint[] = [];
  for await (const e of stripe.webhookEndpoints.list({ limit: 100 })) if (sameUrl(e.url, target)) endpoints.push(e);
  const label = `Stripe webhook endpoint ${target}`;
  if (endpoints.length === 0)
    return [fail(`${label} does not exist`, `run ${SETUP} (it creates it and prints STRIPE_WEBHOOK_SECRET)`)];
  // Prefer an enabled one; duplicates are reported, since each delivers every event.
  const endpoint = endpoints.find((e) => e.status === 'enabled') ?? endpoints[0];
  const checks: Check[] = [];
  if (endpoint.status !== 'enabled')
    return [
      fail(
        `${label} (${endpoint.id}) is disabled`,
        `run ${SETUP} (it enables it), or enable it in the Stripe dashboard`,
      ),
    ];
  checks.push(
    ok(
      `${label} (${endpoint.id}) is enabled${endpoints.length > 1 ? ` (${endpoints.length - 1} more for this URL: each delivers every event)` : ''}`,
    ),
  );
  const all = endpoint.enabled_events.includes('*');
  const missing = all ? [] : HANDLED_STRIPE_EVENTS.filter((t) => !endpoint.enabled_events.includes(t));
  checks.push(
    missing.length
      ? fail(
          `Stripe webhook endpoint ${endpoint.id} is missing events: ${missing.join(', ')}`,
          `run ${SETUP} (it subscribes the endpoint to every event the shop handles)`,
        )
      : ok(
          `Stripe webhook endpoint ${endpoint.id} receives all ${HANDLED_STRIPE_EVENTS.length} events the shop handles${all ? ' (subscribed to *)' : ''}`,
        ),
  );
  const version = endpoint.api_version;
  checks.push(
    version === STRIPE_API_VERSION
      ? ok(`Stripe webhook endpoint ${endpoint.id} sends API version ${STRIPE_API_VERSION}`)
      : fail(
          `Stripe webhook endpoint ${endpoint.id} sends API version ${version ?? "the account's default"}, not the shop's ${STRIPE_API_VERSION}`,
          `run ${SETUP} -- --recreate (a new endpoint with the pinned version), then set STRIPE_WEBHOOK_SECRET to the secret it prints`,
        ),
  );
  // Stripe never shows a signing secret again, so only a delivery can prove STRIPE_WEBHOOK_SECRET.
  if (!opts.liveTest) {
    checks.push(
      cannotVerify(
        `Stripe webhook signing secret of ${endpoint.id}`,
        `STRIPE_WEBHOOK_SECRET is that endpoint's signing secret (Dashboard → Webhooks → ${endpoint.id} → Signing secret); ` +
          '`npm run doctor -- --live-test` proves it with a delivery',
      ),
    );
  }
  return checks;
}

export async function checkPrices(env: Env, stripe: Stripe, products: readonly Product[] = PRODUCTS): Promise<Check[]> {
  const stage = env.STRIPE_PRICE_ENV?.trim() || 'test';
  const mode = stripeMode(env.STRIPE_SECRET_KEY);
  const inline = products.filter((p) => 'amount' in p.price);
  const checks: Check[] = [];
  if (inline.length)
    checks.push(
      ok(
        `${inline.length} catalog product${inline.length > 1 ? 's use' : ' uses'} an inline price (no Stripe price needed)`,
      ),
    );
  for (const product of products) {
    const p = product.price;
    if ('amount' in p) continue;
    const label = `price of "${product.id}"`;
    if ('priceIds' in p) {
      const id = p.priceIds[stage];
      if (!id || /REPLACE_ME/i.test(id)) {
        checks.push(
          fail(
            `${label}: no price id for STRIPE_PRICE_ENV=${stage} (found ${id ?? 'none'})`,
            `put the ${stage} price id from your Stripe dashboard in catalog/products.ts`,
          ),
        );
        continue;
      }
      let price: Stripe.Price;
      try {
        price = await stripe.prices.retrieve(id);
      } catch (e) {
        if ((e as Stripe.errors.StripeError).statusCode === 404) {
          checks.push(
            fail(
              `${label}: ${id} does not exist in this Stripe account (${mode ?? '?'} mode)`,
              `create the price in Stripe, or correct priceIds.${stage} in catalog/products.ts`,
            ),
          );
          continue;
        }
        throw e;
      }
      if (!price.active)
        checks.push(
          fail(
            `${label}: ${id} is archived`,
            'reactivate the price in the Stripe dashboard, or point catalog/products.ts at an active one',
          ),
        );
      else if (mode && price.livemode !== (mode === 'live'))
        checks.push(
          fail(
            `${label}: ${id} is a ${price.livemode ? 'live' : 'test'}-mode price`,
            `use the ${mode}-mode price id for STRIPE_PRICE_ENV=${stage}`,
          ),
        );
      else checks.push(ok(`${label}: ${id} is active`));
      continue;
    }
    const { data } = await stripe.prices.list({ lookup_keys: [p.lookupKey], active: true, limit: 1 });
    checks.push(
      data[0]
        ? ok(`${label}: lookup key "${p.lookupKey}" is ${data[0].id}, active`)
        : fail(
            `${label}: no active price has the lookup key "${p.lookupKey}"`,
            `create (or reactivate) a price with lookup key "${p.lookupKey}" in this Stripe account`,
          ),
    );
  }
  return checks;
}

function parseMap(json: string | undefined): Record<string, string> {
  try {
    const v = json?.trim() ? JSON.parse(json) : {};
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** What a session from this link would be bought as, by the webhook's rules (product metadata, then STRIPE_PRODUCT_MAP). */
async function linkType(
  env: Env,
  stripe: Stripe,
  link: Stripe.PaymentLink,
): Promise<{ type: string; from: string } | null> {
  const items = await stripe.paymentLinks.listLineItems(link.id, { limit: 1, expand: ['data.price.product'] });
  const price = items.data[0]?.price;
  const product = price && typeof price.product === 'object' ? (price.product as Stripe.Product) : null;
  if (product?.metadata?.type) return { type: product.metadata.type, from: `product ${product.id} metadata.type` };
  const map = parseMap(env.STRIPE_PRODUCT_MAP);
  const mapped = (price && map[price.id]) || (product && map[product.id]);
  return mapped ? { type: mapped, from: 'STRIPE_PRODUCT_MAP' } : null;
}

export async function checkPaymentLinks(env: Env, stripe: Stripe): Promise<Check[]> {
  const configured = configuredLinks(env);
  if (configured.length === 0) return [ok('no payment links configured (VITE_CHECKOUT_URL_*)')];
  const links: Stripe.PaymentLink[] = [];
  for await (const l of stripe.paymentLinks.list({ limit: 100 })) links.push(l);
  const checks: Check[] = [];
  for (const c of configured) {
    const base = c.url.split('?')[0];
    const link = links.find((l) => l.url === base || sameUrl(l.url, base));
    const label = `payment link ${c.variable}`;
    if (!findProduct(c.productId)) {
      checks.push(
        fail(
          `${label}: "${c.productId}" is not a product in catalog/products.ts`,
          `rename the variable to VITE_CHECKOUT_URL_<PRODUCT_ID> of a catalog product, or remove it`,
        ),
      );
      continue;
    }
    if (!link) {
      checks.push(
        fail(
          `${label} (${base}) is not a payment link of this Stripe account`,
          `paste the link's URL from the Stripe dashboard (Payment Links), in the account and mode (test or live) of STRIPE_SECRET_KEY`,
        ),
      );
      continue;
    }
    if (!link.active) {
      checks.push(
        fail(
          `${label} (${link.id}) is deactivated`,
          `reactivate it in the Stripe dashboard (Payment Links → ${link.id} → Activate), or remove ${c.variable}`,
        ),
      );
      continue;
    }
    const resolved = await linkType(env, stripe, link);
    if (!resolved) checks.push(fail(`${label} (${link.id}): its sessions carry no purchase type`, UNKNOWN_TYPE_FIX));
    else if (resolved.type !== c.productId) {
      checks.push(
        fail(
          `${label} (${link.id}) sells "${resolved.type}" (from ${resolved.from}), not "${c.productId}"`,
          `set metadata.type to "${c.productId}" on the link's Stripe product, or fix ${c.variable}`,
        ),
      );
    } else checks.push(ok(`${label} (${link.id}) is active and sells "${c.productId}" (from ${resolved.from})`));
  }
  return checks;
}

/** Every Stripe check; a Stripe that does not answer (or refuses the key) is one ✘, not a crash. */
export async function checkStripe(
  env: Env,
  stripe: Stripe,
  opts: { products?: readonly Product[]; liveTest?: boolean } = {},
): Promise<Check[]> {
  const products = opts.products ?? PRODUCTS;
  const checks: Check[] = [];
  for (const step of [
    () => checkWebhookEndpoint(env, stripe, opts),
    () => checkPrices(env, stripe, products),
    () => checkPaymentLinks(env, stripe),
  ]) {
    try {
      checks.push(...(await step()));
    } catch (e) {
      checks.push(stripeProblem(env, e));
      if (isNetworkError(e) || (e as Stripe.errors.StripeError)?.statusCode === 401) break;
    }
  }
  return checks;
}
