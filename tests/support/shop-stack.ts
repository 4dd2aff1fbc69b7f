// The shop's back end against the local stand-ins, for integration tests: the local Instant
// server with the project's schema and rules, the Stripe stand-in, the mailbox, and the api/
// functions over HTTP. The real SDKs do all the talking.
import { init as initAdmin } from '@instantdb/admin';
import Stripe from 'stripe';
import { startApiServer } from '../../local/dev/api-server.ts';
import { loadProjectConfig } from '../../local/instant/project-config.ts';
import { startInstantLocal, type InstantLocal } from '../../local/instant/server.ts';
import { startMailbox, type Mailbox } from '../../local/mailbox/index.ts';
import { startStripeLocal, type StripeLocal } from '../../local/stripe/index.ts';
import { seedCatalog } from '../../local/dev/seed-catalog.ts';
import { adminDb } from '../../api/_lib/platform/instant-admin.ts';
import appSchema from '../../instant.schema.ts';
import { clientFor } from './instant-clients.ts';

export type ShopStack = {
  api: string;
  instant: InstantLocal;
  stripeLocal: StripeLocal;
  stripe: Stripe;
  mailbox: Mailbox;
  admin: ReturnType<typeof initAdmin<typeof appSchema>>;
  mails: { to: string; code: string }[];
  /** The stand-in's endpoint for /api/stripe/webhook (disable it to drop deliveries). */
  webhookEndpointId: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Pays a session as the hosted page would; resolves with the control's answer. */
  pay(sessionId: string, body?: Record<string, unknown>): Promise<Response>;
  local(path: string, body?: unknown): Promise<Response>;
  /** A client SDK connection with the project's schema, shut down by `close()`. */
  client(): ReturnType<typeof clientFor>;
  close(): Promise<void>;
};

/** `seed` seeds the stand-ins' ids (Stripe objects, Instant users), so a fault seed injects the same faults every run. */
export async function startShopStack(opts: { webhookAttempts?: number; seed?: string } = {}): Promise<ShopStack> {
  const mails: { to: string; code: string }[] = [];
  const { schema, rules } = await loadProjectConfig();
  const mailbox = await startMailbox();
  const instant = await startInstantLocal({
    memory: true,
    seed: opts.seed,
    schema,
    rules,
    sendMail: async (m) => {
      mails.push(m);
      // Also into the mailbox, as under `npm run dev`, for tests that wait for a code there.
      mailbox.deliver({ to: m.to, subject: m.subject, text: m.text, from: 'Instant <auth@instant.local>' });
    },
  });
  const stripeLocal = await startStripeLocal({
    webhooks: { retryBaseDelayMs: 50, maxAttempts: opts.webhookAttempts ?? 5, timeoutMs: 5000 },
    asyncPaymentDelayMs: null,
    seed: opts.seed,
  });
  const api = await startApiServer();
  const endpoint = stripeLocal.addWebhookEndpoint(`${api.url}/api/stripe/webhook`);
  Object.assign(process.env, {
    INSTANT_APP_ID: instant.appId,
    INSTANT_ADMIN_TOKEN: instant.adminToken,
    INSTANT_API_URI: instant.url,
    STRIPE_SECRET_KEY: stripeLocal.secretKey,
    STRIPE_API_BASE: stripeLocal.url,
    STRIPE_WEBHOOK_SECRET: endpoint.secret,
    RESEND_API_KEY: mailbox.apiKey,
    RESEND_BASE_URL: mailbox.url,
    APP_URL: api.url,
  });
  await seedCatalog(adminDb());
  const url = new URL(stripeLocal.url);
  const stripe = new Stripe(stripeLocal.secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const local = (path: string, body: unknown = {}) =>
    fetch(`${stripeLocal.url}/_local/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const clients: { shutdown(): void }[] = [];
  return {
    api: api.url,
    instant,
    stripeLocal,
    stripe,
    mailbox,
    admin: initAdmin({ appId: instant.appId, adminToken: instant.adminToken, apiURI: instant.url, schema: appSchema }),
    mails,
    webhookEndpointId: endpoint.id,
    post,
    local,
    pay: (sessionId, body = { email: 'buyer@example.com', card: '4242424242424242' }) =>
      local(`checkout_sessions/${sessionId}/pay`, body),
    client: () => {
      const db = clientFor(instant, appSchema);
      clients.push(db);
      return db;
    },
    close: async () => {
      clients.forEach((c) => c.shutdown());
      await stripeLocal.close();
      await api.close();
      await instant.close();
      await mailbox.close();
    },
  };
}

/** Runs `fn` while Resend refuses the app's key, so receipts sent meanwhile fail (and are recorded as failed). */
export async function withReceiptsFailing<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.RESEND_API_KEY;
  process.env.RESEND_API_KEY = 'not-a-resend-key';
  try {
    return await fn();
  } finally {
    process.env.RESEND_API_KEY = saved;
  }
}
