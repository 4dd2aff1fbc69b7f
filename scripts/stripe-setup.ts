/**
 * `npm run stripe:setup -- --url https://shop.example.com [--recreate]`
 *
 * Creates or updates the shop's webhook endpoint (`<url>/api/stripe/webhook`)
 * on the Stripe account of STRIPE_SECRET_KEY (or the local stand-in when
 * STRIPE_API_BASE is set), subscribed to exactly HANDLED_STRIPE_EVENTS with
 * the pinned API version, and prints its signing secret for
 * STRIPE_WEBHOOK_SECRET. Stripe reveals a secret only when an endpoint is
 * created; `--recreate` replaces an existing endpoint to get a new one.
 */
import { pathToFileURL } from 'node:url';
import type Stripe from 'stripe';
import { STRIPE_API_VERSION, StripeConfigError, createStripe } from '../api/_lib/platform/stripe-client.ts';
import { HANDLED_STRIPE_EVENTS } from '../api/_lib/fulfillment/handled-events.ts';
import { cliArgs, UsageError } from '../local/cli-args.ts';
import { loadEnvFile } from './load-env-file.ts';

export const WEBHOOK_PATH = '/api/stripe/webhook';

export const SETUP_CLI = {
  usage: `usage: npm run stripe:setup -- --url https://shop.example.com [--recreate]

Creates or updates the webhook endpoint <url>/api/stripe/webhook on the Stripe account of
STRIPE_SECRET_KEY (or the stand-in at STRIPE_API_BASE) and prints its signing secret.
  --url URL     the shop's public origin (default: $SHOP_URL, else $APP_URL)
  --recreate    replace an existing endpoint to get a new signing secret`,
  options: { url: { type: 'string' }, recreate: { type: 'boolean' } },
} as const;

export interface SetupResult {
  action: 'created' | 'updated' | 'unchanged' | 'recreated';
  endpoint: Stripe.WebhookEndpoint;
  /** Only when the endpoint was (re)created: Stripe never shows it again. */
  secret: string | null;
  /** Set when the existing endpoint renders events in another API version. */
  apiVersionMismatch: string | null;
}

/** The webhook URL for a shop origin (an explicit webhook URL is kept). */
export function webhookUrlFor(shopUrl: string): string {
  const url = new URL(shopUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`--url must be an http(s) URL (got ${shopUrl})`);
  if (url.pathname.replace(/\/$/, '') === WEBHOOK_PATH) return `${url.origin}${WEBHOOK_PATH}`;
  return `${url.origin}${url.pathname.replace(/\/$/, '')}${WEBHOOK_PATH}`;
}

export async function setupWebhookEndpoint(
  stripe: Stripe,
  options: { webhookUrl: string; recreate?: boolean; events?: readonly string[]; apiVersion?: string },
): Promise<SetupResult> {
  const events = [...(options.events ?? HANDLED_STRIPE_EVENTS)] as Stripe.WebhookEndpointCreateParams.EnabledEvent[];
  const apiVersion = options.apiVersion ?? STRIPE_API_VERSION;
  const existing: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) {
    if (endpoint.url === options.webhookUrl) existing.push(endpoint);
  }
  const create = async (action: 'created' | 'recreated'): Promise<SetupResult> => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: options.webhookUrl,
      enabled_events: events,
      api_version: apiVersion as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: 'instant-shop (npm run stripe:setup)',
    });
    return { action, endpoint, secret: endpoint.secret ?? null, apiVersionMismatch: null };
  };
  if (existing.length === 0) return create('created');
  if (options.recreate) {
    for (const e of existing) await stripe.webhookEndpoints.del(e.id);
    return create('recreated');
  }
  const [endpoint, ...duplicates] = existing;
  const sameEvents =
    endpoint.enabled_events.length === events.length && events.every((e) => endpoint.enabled_events.includes(e));
  const mismatch = endpoint.api_version && endpoint.api_version !== apiVersion ? endpoint.api_version : null;
  if (sameEvents && endpoint.status === 'enabled') {
    return { action: 'unchanged', endpoint, secret: null, apiVersionMismatch: mismatch };
  }
  const updated = await stripe.webhookEndpoints.update(endpoint.id, { enabled_events: events, disabled: false });
  if (duplicates.length > 0) {
    console.warn(
      `Note: ${duplicates.length} more endpoint(s) use ${options.webhookUrl}: ${duplicates.map((d) => d.id).join(', ')}`,
    );
  }
  return { action: 'updated', endpoint: updated, secret: null, apiVersionMismatch: mismatch };
}

async function main(shopUrl: string, recreate: boolean): Promise<void> {
  let stripe: Stripe;
  let webhookUrl: string;
  try {
    webhookUrl = webhookUrlFor(shopUrl);
    stripe = createStripe(process.env);
  } catch (err) {
    console.error(err instanceof StripeConfigError || err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  const target = process.env.STRIPE_API_BASE ? `the local Stripe stand-in at ${process.env.STRIPE_API_BASE}` : 'Stripe';
  const result = await setupWebhookEndpoint(stripe, { webhookUrl, recreate });
  console.log(`Webhook endpoint ${result.endpoint.id} ${result.action} on ${target}`);
  console.log(`  url:     ${result.endpoint.url}`);
  console.log(`  events:  ${result.endpoint.enabled_events.join(', ')}`);
  console.log(`  version: ${result.endpoint.api_version ?? '(account default)'}`);
  if (result.secret) {
    console.log(
      `\nSigning secret (set it as STRIPE_WEBHOOK_SECRET; Stripe will not show it again):\n  ${result.secret}`,
    );
  } else {
    console.log('\nThe signing secret is unchanged; Stripe shows it only when an endpoint is created.');
    console.log(
      'Find it in the Dashboard (Developers → Webhooks → the endpoint → Signing secret), or rerun with --recreate for a new one.',
    );
  }
  if (result.apiVersionMismatch) {
    console.warn(
      `\nWarning: this endpoint sends events in API version ${result.apiVersionMismatch}, not ${STRIPE_API_VERSION}. Rerun with --recreate to fix (this changes the signing secret).`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { shopUrl, recreate } = cliArgs(SETUP_CLI, ({ values }) => {
    loadEnvFile();
    const shopUrl = values.url ?? process.env.SHOP_URL ?? process.env.APP_URL;
    if (!shopUrl) throw new UsageError('Pass the shop URL with --url (or set SHOP_URL).');
    return { shopUrl, recreate: values.recreate ?? false };
  });
  main(shopUrl, recreate).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
