import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDraw } from '../faults/fault-plan.ts';
import { startStripeLocal, type StripeLocal } from './server.ts';

let local: StripeLocal;
const client = (opts: Partial<Stripe.StripeConfig> = {}) =>
  new Stripe(local.secretKey, { host: '127.0.0.1', port: Number(new URL(local.url).port), protocol: 'http', ...opts });
const setFaults = async (body: unknown) => {
  const res = await fetch(`${local.url}/_local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  local = await startStripeLocal();
});
afterAll(() => local.close());

describe('Stripe stand-in faults', () => {
  it('are off by default and refuse a bad configuration with a clear 400', async () => {
    expect((await (await fetch(`${local.url}/_local/faults`)).json()).api.rules).toEqual([]);
    const bad = await setFaults({ api: { rules: [{ path: '/v1', rates: { error_500: 2 } }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/rates/);
  });

  it('answers 429 with Retry-After, and the SDK surfaces it as a rate-limit error', async () => {
    await setFaults({ api: { rules: [{ path: '/v1/customers', rates: { rate_limit_429: 1 } }] } });
    const raw = await fetch(`${local.url}/v1/customers`, { headers: { authorization: `Bearer ${local.secretKey}` } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    await expect(client({ maxNetworkRetries: 0 }).customers.list()).rejects.toMatchObject({
      type: 'StripeRateLimitError',
    });
    // Other paths are untouched.
    await expect(client().products.list()).resolves.toMatchObject({ object: 'list' });
    await setFaults({});
  });

  // A 500 never ran and is retried by the SDK; a hang ran, its answer was lost, and the retry
  // under the same key replays it. Either way: one customer.
  it.each([
    { fault: 'error_500', hang_ms: undefined, sdk: { maxNetworkRetries: 2 } },
    { fault: 'hang', hang_ms: 60_000, sdk: { maxNetworkRetries: 1, timeout: 300 } },
  ] as const)('a $fault on the first attempt, retried under the same idempotency key: one customer', async (c) => {
    const key = `idem-${c.fault}-test`;
    const email = `${c.fault}@example.com`;
    // A seed whose first attempt faults and second does not, for this key.
    const identity = `POST /v1/customers ${key}`;
    let seed = 0;
    while (!(faultDraw(seed, identity, 1) < 0.5 && faultDraw(seed, identity, 2) >= 0.5)) seed++;
    const rule = { path: '/v1/customers', rates: { [c.fault]: 0.5 } };
    await setFaults({ api: { seed, hang_ms: c.hang_ms, rules: [rule] } });
    const stripe = client(c.sdk);
    const made = await stripe.customers.create({ email }, { idempotencyKey: key });
    const snap = (await (await fetch(`${local.url}/_local/faults`)).json()) as any;
    expect(snap.api.injected).toEqual({ [c.fault]: 1 });
    expect(snap.api.faults).toEqual([{ kind: c.fault, identity, attempt: 1 }]);
    await setFaults({});
    const found = await stripe.customers.list({ email });
    expect(found.data.map((x) => x.id)).toEqual([made.id]);
  });

  it('webhook deliveries fail or time out by plan, and Stripe retries them', async () => {
    let received = 0;
    const sink = createServer((req, res) => {
      received++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      local.reset();
      local.account.webhooks.options.retryBaseDelayMs = 1;
      local.account.webhooks.options.maxAttempts = 20;
      local.addWebhookEndpoint(`http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`, ['*']);
      await setFaults({ webhooks: { seed: 3, rules: [{ path: '*', rates: { fail: 0.3, timeout: 0.3 } }] } });
      await fetch(`${local.url}/_local/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'customer.created', count: 20 }),
      });
      await local.whenDeliveriesIdle();
      const log = local.deliveries();
      const injected = ((await (await fetch(`${local.url}/_local/faults`)).json()) as any).webhooks.injected;
      expect(injected.fail).toBeGreaterThan(0);
      expect(injected.timeout).toBeGreaterThan(0);
      expect(log.filter((d) => d.error?.includes('injected')).length).toBe(injected.fail + injected.timeout);
      // Only `fail` never reached the endpoint; a `timeout` did, and was retried anyway.
      expect(received).toBe(log.length - injected.fail);
      expect(log.filter((d) => d.status === 'succeeded').length).toBe(20);
    } finally {
      await setFaults({});
      await new Promise((r) => sink.close(r));
    }
  });
});
