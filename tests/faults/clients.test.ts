// The app's client settings against the stand-ins' faults: Stripe's timeout and 429 handling,
// and the Instant helpers that tell a lost answer from a definite one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from '../../local/stripe/server.ts';
import { createStripe, stripeTimeoutMs } from '../../api/_lib/platform/stripe-client.ts';
import {
  NoAnswerError,
  isAmbiguous,
  isAlreadyRecorded,
  retryAmbiguous,
  withDeadline,
} from '../../api/_lib/platform/instant-admin.ts';

let local: StripeLocal;
const faults = (body: unknown) =>
  fetch(`${local.url}/_local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const injected = async () => ((await (await fetch(`${local.url}/_local/faults`)).json()) as any).api.injected;
const stripe = (env: Record<string, string> = {}) =>
  createStripe({ STRIPE_SECRET_KEY: local.secretKey, STRIPE_API_BASE: local.url, ...env });

beforeAll(async () => {
  local = await startStripeLocal();
});
afterAll(() => local.close());

describe('Stripe client under faults', () => {
  it('times out after STRIPE_TIMEOUT_MS (10 s by default, not the SDK 80 s) and gives up after its retries', async () => {
    expect(stripeTimeoutMs({})).toBe(10_000);
    expect(stripeTimeoutMs({ STRIPE_TIMEOUT_MS: '250' })).toBe(250);
    expect(stripe().getApiField('timeout')).toBe(10_000);
    await faults({ api: { hang_ms: 60_000, rules: [{ path: '/v1/customers', rates: { hang: 1 } }] } });
    await expect(stripe({ STRIPE_TIMEOUT_MS: '200' }).customers.list()).rejects.toMatchObject({
      type: 'StripeConnectionError',
    });
    // The first try and the SDK's two retries all hung.
    expect(await injected()).toEqual({ hang: 3 });
    await faults({});
  });

  it('waits out a 429 and retries with the same idempotency key: one customer', async () => {
    await faults({ api: { rules: [{ path: '/v1/customers', max: 1, rates: { rate_limit_429: 1 } }] } });
    const made = await stripe().customers.create({ email: 'limited@example.com' });
    expect(await injected()).toEqual({ rate_limit_429: 1 });
    await faults({});
    expect((await stripe().customers.list({ email: 'limited@example.com' })).data.map((c) => c.id)).toEqual([made.id]);
  });

  it('surfaces a 429 that does not stop, after a bounded number of retries', async () => {
    await faults({ api: { rules: [{ path: '/v1/products', rates: { rate_limit_429: 1 } }] } });
    await expect(stripe().products.list()).rejects.toMatchObject({ type: 'StripeRateLimitError' });
    expect(await injected()).toEqual({ rate_limit_429: 4 });
    await faults({});
  });
});

describe('Instant answers', () => {
  it('treats no answer and 5xx as ambiguous, 4xx as definite', () => {
    expect(isAmbiguous(new NoAnswerError('x'))).toBe(true);
    expect(isAmbiguous(new TypeError('fetch failed'))).toBe(true);
    expect(isAmbiguous({ status: 503, body: { type: 'timeout' } })).toBe(true);
    const taken = { status: 400, body: { type: 'record-not-unique', message: 'taken' } };
    expect(isAmbiguous(taken)).toBe(false);
    expect(isAlreadyRecorded(taken)).toBe(true);
    expect(isAmbiguous(new Error('a bug'))).toBe(false);
  });

  it('gives up waiting at the deadline, and retries only ambiguous failures, a bounded number of times', async () => {
    await expect(withDeadline(new Promise(() => {}), 20)).rejects.toBeInstanceOf(NoAnswerError);
    let calls = 0;
    await expect(retryAmbiguous(async () => (calls++, Promise.reject(new TypeError('fetch failed'))))).rejects.toThrow(
      'fetch failed',
    );
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryAmbiguous(async () => (calls++, Promise.reject({ status: 400 })))).rejects.toEqual({
      status: 400,
    });
    expect(calls).toBe(1);
    calls = 0;
    expect(await retryAmbiguous(async () => (++calls < 2 ? Promise.reject(new TypeError('fetch failed')) : 'ok'))).toBe(
      'ok',
    );
    expect(calls).toBe(2);
  });
});
