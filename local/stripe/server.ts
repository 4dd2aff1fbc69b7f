import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { LocalAccount, type EndpointSecret } from './account.ts';
import { handleApi } from './api-handler.ts';
import { StripeApiError } from './errors.ts';
import { renderDashboard } from './dashboard-page.ts';
import { handleHostedPage } from './hosted-checkout-page.ts';
import { sendHtml, sendJson } from './http-io.ts';
import { nowSeconds, randomToken } from './ids.ts';
import { stableText } from '../faults/fault-plan.ts';
import type { StripeFaultOptions } from './faults.ts';
import { buildRouter, expanders } from './routes.ts';
import { handleTestControl } from './test-controls.ts';
import type { DeliveryAttempt, WebhookOptions } from './webhooks.ts';

export interface StripeLocalOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** The key printed and returned; any `sk_test_…` key works unless `strictKey`. */
  secretKey?: string;
  /** Accept only `secretKey` instead of any test-mode key. */
  strictKey?: boolean;
  /** API version stamped on events; the installed SDK's pinned version by default. */
  apiVersion?: string;
  /** Retry/timeout/concurrency of webhook delivery. */
  webhooks?: Partial<WebhookOptions>;
  /** Delayed payments (and refund failures of card …5126) resolve by themselves after this; `null` waits for a test control. */
  asyncPaymentDelayMs?: number | null;
  /** Injected faults (off by default); also `POST /_local/faults` at run time. */
  faults?: StripeFaultOptions;
  /** Webhook endpoints to create at start (e.g. the app's `/api/stripe/webhook`). */
  webhookEndpoints?: { url: string; enabled_events?: string[] }[];
  /** Seed of the ids (random by default): the same seed and the same requests give the same ids, so a fault seed injects the same faults every run. */
  seed?: string;
}

export interface StripeLocal {
  /** Origin, e.g. `http://127.0.0.1:12111`; the SDK's host/port/protocol point here. */
  url: string;
  secretKey: string;
  apiVersion: string;
  /** Endpoints created from `webhookEndpoints`, with their signing secrets. */
  webhookEndpoints: { id: string; url: string; secret: string }[];
  /** Direct access to the state, for tests. */
  account: LocalAccount;
  /** Creates an endpoint without going through the API; returns its `whsec_` secret. */
  addWebhookEndpoint(url: string, enabledEvents?: string[]): { id: string; secret: string };
  /** Every delivery attempt so far, oldest first. */
  deliveries(): DeliveryAttempt[];
  /** Calls back on every delivery attempt; returns an unsubscribe function. */
  onDelivery(listener: (attempt: DeliveryAttempt) => void): () => void;
  /** Resolves when no webhook delivery is queued, in flight or awaiting a retry. */
  whenDeliveriesIdle(): Promise<void>;
  /** API requests received so far (`/v1/…`), counted by `METHOD /path`, for tests and benches that count calls. */
  apiRequestCounts(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_TEST_KEY = 'sk_test_local_stand_in';

/** Starts the Stripe stand-in on 127.0.0.1 (port 0 by default). */
export async function startStripeLocal(options: StripeLocalOptions = {}): Promise<StripeLocal> {
  const apiVersion = options.apiVersion ?? Stripe.API_VERSION;
  const secretKey = options.secretKey ?? DEFAULT_TEST_KEY;
  if (!/^sk_test_[A-Za-z0-9_]+$/.test(secretKey))
    throw new Error('secretKey must be a test-mode key starting with sk_test_');
  const account = new LocalAccount({
    apiVersion,
    webhooks: options.webhooks,
    faults: options.faults,
    asyncPaymentDelayMs: options.asyncPaymentDelayMs === undefined ? null : options.asyncPaymentDelayMs,
    seed: options.seed,
  });
  const router = buildRouter();
  const apiOptions = { router, expanders, requiredKey: options.strictKey ? secretKey : null };

  const apiRequests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // An unnamed async function: under tsx a named closure per request costs more than the routing.
    (async (): Promise<void> => {
      if (url.pathname.startsWith('/v1/')) {
        const key = `${req.method} ${url.pathname}`;
        apiRequests.set(key, (apiRequests.get(key) ?? 0) + 1);
        return handleApi(account, apiOptions, req, res, url);
      }
      if (await handleTestControl(account, req, res, url)) return;
      if (await handleHostedPage(account, req, res, url)) return;
      if (url.pathname === '/' && req.method === 'GET') return sendHtml(res, 200, renderDashboard(account));
      if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
      sendHtml(res, 404, '<!doctype html><title>Not found</title><p>Not found.</p>');
    })().catch((err: unknown) => {
      if (err instanceof StripeApiError && !res.headersSent) return sendJson(res, err.status, { error: err.body });
      console.error('[stripe-local] request failed:', err);
      if (!res.headersSent)
        sendJson(res, 500, { error: { type: 'api_error', message: 'Internal error in the local Stripe stand-in.' } });
      else res.destroy();
    });
  });
  // Connections stay open between requests as Stripe's do (Node's default 5 s; `close()` ends
  // them). A 1 s timeout would tell Node's clients (keep-alive hint timeout=1) not to reuse them:
  // a new connection per request.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  account.baseUrl = url;

  const addWebhookEndpoint = (endpointUrl: string, enabledEvents: string[] = ['*']): { id: string; secret: string } => {
    const endpoint = {
      id: account.ids.next('we', stableText({ url: endpointUrl, enabled_events: enabledEvents })),
      object: 'webhook_endpoint',
      api_version: apiVersion,
      application: null,
      created: nowSeconds(),
      description: 'Created by the local stand-in at start',
      enabled_events: enabledEvents,
      livemode: false,
      metadata: {},
      status: 'enabled',
      url: endpointUrl,
    } as unknown as Stripe.WebhookEndpoint;
    const secret = `whsec_${randomToken(32)}`;
    account.store.put(endpoint);
    account.store.extra<EndpointSecret>(endpoint.id).secret = secret;
    return { id: endpoint.id, secret };
  };
  const webhookEndpoints = (options.webhookEndpoints ?? []).map((e) => ({
    url: e.url,
    ...addWebhookEndpoint(e.url, e.enabled_events),
  }));

  return {
    url,
    secretKey,
    apiVersion,
    webhookEndpoints,
    account,
    addWebhookEndpoint,
    deliveries: () => account.webhooks.log,
    onDelivery(listener) {
      account.webhooks.on('attempt', listener);
      return () => account.webhooks.off('attempt', listener);
    },
    whenDeliveriesIdle: () => account.webhooks.whenIdle(),
    apiRequestCounts: () => Object.fromEntries(apiRequests),
    reset: () => account.reset(),
    close: async () => {
      account.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
