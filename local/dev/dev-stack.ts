// The whole shop on one machine: the local Instant server, the Stripe stand-in and the mailbox
// (each only when the real service is not configured), and Vite serving the SPA with the `api/`
// functions at /api/*. `npm run dev` runs it; browser tests start it on free ports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { pushProjectOnChange } from '../instant/push-on-change.ts';
import { spawnInstantLocal } from '../instant/spawn.ts';
import { startMailbox, type Mailbox } from '../mailbox/index.ts';
import { startStripeLocal, type StripeLocal } from '../stripe/index.ts';
import type { DevSettings } from './settings.ts';
import { seedCatalog } from './seed-catalog.ts';
import { createServer as createNetServer } from 'node:net';
import { createLocalPaymentLinks } from './payment-links.ts';
import { HANDLED_STRIPE_EVENTS } from '../../api/_lib/fulfillment/handled-events.ts';

export type DevStackOptions = {
  settings: DevSettings;
  /** Where local data and `local.json` go (default `.data`). */
  dataDir?: string;
  /** Keep nothing on disk (tests). */
  memory?: boolean;
  /** Quiet Vite's own logging (tests). */
  quiet?: boolean;
  /** Webhook delivery of the Stripe stand-in (benchmarks set its concurrency). */
  stripeWebhooks?: Parameters<typeof startStripeLocal>[0] extends infer O
    ? O extends { webhooks?: infer W }
      ? W
      : never
    : never;
};

export type DevStack = {
  url: string;
  /** `local` is true when the local Instant server (a process of its own) is serving. */
  instant: { url: string; appId: string; adminToken: string; local: boolean };
  stripe: StripeLocal | null;
  mailbox: Mailbox | null;
  close(): Promise<void>;
};

export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  const { settings } = opts;
  const dataDir = resolve(opts.dataDir ?? '.data');
  const closers: (() => Promise<void>)[] = [];
  try {
    const mailbox = settings.RESEND_API_KEY ? null : await startMailbox();
    if (mailbox) closers.push(() => mailbox.close());

    // The local Instant server runs in a process of its own, as a real one is a server of its own,
    // and mails magic codes to the mailbox as a real Instant app mails them to an inbox.
    const instantLocal = settings.INSTANT_APP_ID
      ? null
      : await spawnInstantLocal({
          dataDir: join(dataDir, 'instant'),
          memory: opts.memory,
          ...(mailbox ? { mailbox: { url: mailbox.url, apiKey: mailbox.apiKey } } : {}),
        });
    if (instantLocal) closers.push(() => instantLocal.close());
    const instant = instantLocal
      ? { url: instantLocal.url, appId: instantLocal.appId, adminToken: instantLocal.adminToken, local: true }
      : {
          url: settings.INSTANT_API_URI ?? 'https://api.instantdb.com',
          appId: settings.INSTANT_APP_ID!,
          adminToken: settings.INSTANT_ADMIN_TOKEN!,
          local: false,
        };

    // instant.schema.ts and instant.perms.ts reach it as they reach Instant: instant-cli pushes
    // them now and whenever one changes; a refused push is reported and the last one stays.
    if (instantLocal) {
      const pusher = pushProjectOnChange(instant);
      closers.push(async () => pusher.close());
      await pusher.initial;
    }

    const stripe = settings.STRIPE_SECRET_KEY ? null : await startStripeLocal({ webhooks: opts.stripeWebhooks });
    if (stripe) closers.push(() => stripe.close());

    // The api/ functions read their configuration from the environment, as on Vercel.
    setEnv({
      INSTANT_APP_ID: instant.appId,
      INSTANT_ADMIN_TOKEN: instant.adminToken,
      ...(instantLocal || settings.INSTANT_API_URI ? { INSTANT_API_URI: instant.url } : {}),
      VITE_INSTANT_APP_ID: instant.appId,
      ...(instantLocal
        ? {
            VITE_INSTANT_API_URI: instant.url,
            VITE_INSTANT_WEBSOCKET_URI: `${instant.url.replace(/^http/, 'ws')}/runtime/session`,
          }
        : {
            ...(settings.INSTANT_API_URI ? { VITE_INSTANT_API_URI: settings.INSTANT_API_URI } : {}),
            ...(settings.INSTANT_WEBSOCKET_URI ? { VITE_INSTANT_WEBSOCKET_URI: settings.INSTANT_WEBSOCKET_URI } : {}),
          }),
      ...(stripe
        ? { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_BASE: stripe.url }
        : { STRIPE_SECRET_KEY: settings.STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET: settings.STRIPE_WEBHOOK_SECRET }),
      ...(mailbox
        ? { RESEND_API_KEY: mailbox.apiKey, RESEND_BASE_URL: mailbox.url }
        : { RESEND_API_KEY: settings.RESEND_API_KEY }),
    });

    // A local operator for /ops (sign in with ops@example.com; its code lands in the mailbox).
    if (instantLocal && !process.env.OPERATOR_EMAILS?.trim()) process.env.OPERATOR_EMAILS = 'ops@example.com';

    // The catalog's wallpapers (idempotent upserts), so a fresh database has a shop to show.
    await seedCatalog();

    // The app's URL must be known before Vite starts: payment links redirect to it, and their
    // URLs are VITE_ settings that Vite reads once, at start.
    const port = settings.PORT === 0 ? await freePort() : settings.PORT;
    const url = `http://localhost:${port}`;
    process.env.APP_URL = url;
    const paymentLinks = stripe ? await createLocalPaymentLinks(stripe.url, stripe.secretKey, url) : {};
    Object.assign(process.env, paymentLinks);

    const vite: ViteDevServer = await createServer({
      configFile: resolve('vite.config.ts'),
      logLevel: opts.quiet ? 'silent' : 'info',
      server: {
        port,
        strictPort: true,
        host: '127.0.0.1',
        ...(mailbox ? { proxy: { '/_local/mailbox': { target: mailbox.url } } } : {}),
      },
    });
    try {
      await vite.listen();
    } catch (e) {
      await vite.close();
      throw new Error(
        `Port ${port} is in use: stop what runs there, or set PORT to another port (${(e as Error).message}).`,
      );
    }
    closers.push(() => vite.close());

    if (stripe) {
      // Subscribed to exactly the events the shop handles, as `npm run stripe:setup` does.
      const endpoint = stripe.addWebhookEndpoint(`http://127.0.0.1:${port}/api/stripe/webhook`, [
        ...HANDLED_STRIPE_EVENTS,
      ]);
      process.env.STRIPE_WEBHOOK_SECRET = endpoint.secret;
    }

    if (!opts.memory) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(
        join(dataDir, 'local.json'),
        JSON.stringify(
          {
            app: { url },
            instant: {
              url: instant.url,
              appId: instant.appId,
              adminToken: instant.adminToken,
              local: Boolean(instantLocal),
            },
            stripe: stripe
              ? { url: stripe.url, secretKey: stripe.secretKey, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET }
              : null,
            mailbox: mailbox ? { url: mailbox.url, apiKey: mailbox.apiKey, page: `${url}/_local/mailbox` } : null,
            // For `npm run doctor`, which checks what this process was configured with.
            operators: process.env.OPERATOR_EMAILS ?? '',
            paymentLinks,
          },
          null,
          2,
        ),
      );
    }

    return {
      url,
      instant,
      stripe,
      mailbox,
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw e;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Sets the variables that have a value (assigning undefined to process.env would store "undefined"). */
function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
}
