// The benches run against `npm run dev`'s stack (local Instant, Stripe stand-in, mailbox, Vite
// serving the api/ functions), started on free ports with nothing kept on disk.
import { Agent, request } from 'node:http';
import Stripe from 'stripe';
import { spawnApiProcess } from '../../local/dev/api-process.ts';
import { startApiServer } from '../../local/dev/api-server.ts';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';
import { pushProjectOnChange } from '../../local/instant/push-on-change.ts';
import { spawnInstantLocal } from '../../local/instant/spawn.ts';

export type BenchStack = DevStack & {
  stripeSdk: Stripe;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  local(path: string, body?: unknown): Promise<Response>;
  admin(q: unknown): Promise<any>;
};

/**
 * `webhooksToPlainApi`: Stripe's webhooks go to the api/ functions served as Vercel serves them
 * (plain handlers), not through Vite's dev middleware, which would be most of what is measured,
 * and in `apiWorkers` processes of their own, as Vercel runs them apart from Stripe (the Stripe
 * stand-in, the mailbox and the load generator share this process; the local Instant server has
 * its own). BENCH_API_WORKERS overrides the count; 0 serves them in this process.
 */
export async function startBenchStack({
  webhookConcurrency = 16,
  webhooksToPlainApi = false,
  apiWorkers = 2,
} = {}): Promise<BenchStack> {
  // One browser and one load generator make every request: the per-client limits would
  // measure themselves instead of the shop.
  process.env.RATE_LIMIT_SCALE = '1000';
  const stack = await startDevStack({
    settings: { PORT: 0 },
    memory: true,
    quiet: true,
    stripeWebhooks: { concurrency: webhookConcurrency, retryBaseDelayMs: 100 },
  });
  const u = new URL(stack.stripe!.url);
  const stripeSdk = new Stripe(stack.stripe!.secretKey, { host: u.hostname, port: Number(u.port), protocol: 'http' });
  let close = stack.close;
  if (webhooksToPlainApi) {
    const workers = Number(process.env.BENCH_API_WORKERS ?? apiWorkers);
    const api = workers > 0 ? await spawnApiProcess({ workers }) : await startApiServer({ preload: true });
    const [endpoint] = (await stripeSdk.webhookEndpoints.list()).data;
    await stripeSdk.webhookEndpoints.update(endpoint.id, { url: `${api.url}/api/stripe/webhook` });
    close = async () => {
      await stack.close();
      await api.close();
    };
  }
  return {
    ...stack,
    close,
    stripeSdk,
    post: (path, body, headers = {}) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    local: (path, body = {}) => postLocal(`${stack.stripe!.url}/_local/${path}`, body),
    admin: async (q) => {
      const res = await fetch(`${stack.instant.url}/admin/query?app_id=${stack.instant.appId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${stack.instant.adminToken}`,
          'app-id': stack.instant.appId,
        },
        body: JSON.stringify({ query: q }),
      });
      return res.json();
    },
  };
}

// The load generator's own calls over a keep-alive node:http agent: fetch costs several times more
// CPU a request, and the burst benches count every process's CPU (the shop's, not the generator's, is measured).
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function postLocal(url: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

export type InstantStack = { instant: { url: string; appId: string; adminToken: string }; close(): Promise<void> };

/**
 * Only the local Instant server, the project's schema and rules pushed, and the api/ code's
 * environment pointing at it: for benches of server code called in-process (the ledger), where
 * Vite and the Stripe stand-in would only share this process's core with what is measured.
 */
export async function startInstantStack(): Promise<InstantStack> {
  const server = await spawnInstantLocal({ memory: true });
  const instant = { url: server.url, appId: server.appId, adminToken: server.adminToken };
  const pusher = pushProjectOnChange(instant, { log: { info: () => {}, error: console.error } });
  try {
    const pushed = await pusher.initial;
    const refused = pushed.find((p) => !p.ok);
    if (refused) throw new Error(`instant-cli refused ${refused.file}: ${refused.report}`);
  } catch (e) {
    await server.close();
    throw e;
  } finally {
    pusher.close();
  }
  Object.assign(process.env, {
    INSTANT_APP_ID: instant.appId,
    INSTANT_ADMIN_TOKEN: instant.adminToken,
    INSTANT_API_URI: instant.url,
  });
  return { instant, close: () => server.close() };
}

export const sessionIdOf = (checkoutUrl: string) => new URL(checkoutUrl).pathname.split('/').pop()!;
