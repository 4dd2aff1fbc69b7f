// The benches' stacks, started on free ports with nothing kept on disk: `npm run dev`'s whole stack
// (local Instant, Stripe stand-in, mailbox, Vite serving the api/ functions), or the local
// Instant server alone for code the bench calls in-process.
import Stripe from 'stripe';
import { spawnApiProcess } from '../../local/dev/api-process.ts';
import { startApiServer } from '../../local/dev/api-server.ts';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';
import { spawnInstantLocal } from '../../local/instant/spawn.ts';
import schema from '../../instant.schema.ts';
import rules from '../../instant.perms.ts';
import { rawPostJson, rawRequest } from './raw-http.ts';

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
    // Over node:http: the burst bench counts the load generator's CPU too.
    local: async (path, body = {}) => {
      const { status, text } = await rawPostJson(`${stack.stripe!.url}/_local/${path}`, body);
      return new Response(text, { status });
    },
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

export type InstantStack = { instant: { url: string; appId: string; adminToken: string }; close(): Promise<void> };

/**
 * Only the local Instant server, started with the project's schema and rules, and the api/
 * code's environment pointing at it: for benches of server code called in-process (the ledger),
 * where Vite and the Stripe stand-in would only share this process's core with what is measured.
 */
export async function startInstantStack(): Promise<InstantStack> {
  const server = await spawnInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(schema)), rules });
  const instant = { url: server.url, appId: server.appId, adminToken: server.adminToken };
  Object.assign(process.env, {
    INSTANT_APP_ID: instant.appId,
    INSTANT_ADMIN_TOKEN: instant.adminToken,
    INSTANT_API_URI: instant.url,
  });
  return { instant, close: () => server.close() };
}

/** The local Instant server's request counters (`METHOD /path` → calls so far). */
export async function instantRequestCounts(instant: InstantStack['instant']): Promise<Record<string, number>> {
  const { text } = await rawRequest(`${instant.url}/_local/request-counts?app_id=${instant.appId}`, {
    headers: { authorization: `Bearer ${instant.adminToken}`, 'app-id': instant.appId },
  });
  return (JSON.parse(text) as { counts: Record<string, number> }).counts;
}

export const sessionIdOf = (checkoutUrl: string) => new URL(checkoutUrl).pathname.split('/').pop()!;
