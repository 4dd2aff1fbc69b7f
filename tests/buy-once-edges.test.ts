// The buy-once functions' edges: signatures, bad input, signed file URLs, rate limits.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signPayload } from '../local/stripe/index.ts';
import { wallpaperIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { signedPath } from '../api/_lib/files/signed-urls.ts';
import { UNAVAILABLE } from '../api/_lib/platform/http.ts';
import { postJsonFrom } from './support/from-address.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { buy, fetchAttachment } from './support/shop.ts';

let shop: ShopStack;
let paidToken: string;

beforeAll(async () => {
  shop = await startShopStack();
  ({ token: paidToken } = await buy(shop, 'wallpapers-warm', 'edges@example.com'));
});
afterAll(() => shop.close());

describe('webhook signature', () => {
  const event = () =>
    JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_test_forged', object: 'checkout.session' } },
    });

  it('answers 400 and writes nothing when the signature is missing, forged or stale', async () => {
    const body = event();
    const missing = await shop.post('/api/stripe/webhook', body);
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatch(/Stripe-Signature/);

    const forged = await shop.post('/api/stripe/webhook', body, {
      'stripe-signature': signPayload(body, 'whsec_not_the_secret'),
    });
    expect(forged.status).toBe(400);

    const stale = signPayload(body, process.env.STRIPE_WEBHOOK_SECRET!, Math.floor(Date.now() / 1000) - 3600);
    const old = await shop.post('/api/stripe/webhook', body, { 'stripe-signature': stale });
    expect(old.status).toBe(400);
    expect((await old.json()).error).toMatch(/tolerance/i);

    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId: 'cs_test_forged' } } } });
    expect(purchases).toEqual([]);
  });

  it('answers 200 to events it does not handle', async () => {
    const body = JSON.stringify({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    const res = await shop.post('/api/stripe/webhook', body, {
      'stripe-signature': signPayload(body, process.env.STRIPE_WEBHOOK_SECRET!),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, handled: false });
  });

  it('answers a generic 503 when the webhook secret is not configured, naming the variable only in the log', async () => {
    const saved = process.env.STRIPE_WEBHOOK_SECRET;
    delete process.env.STRIPE_WEBHOOK_SECRET;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await shop.post('/api/stripe/webhook', event(), { 'stripe-signature': 't=1,v1=x' });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: UNAVAILABLE });
      expect(text).not.toMatch(/STRIPE|whsec|secret|not set/i);
      expect(logged.mock.calls.flat().join('\n')).toMatch(/STRIPE_WEBHOOK_SECRET is not set/);
    } finally {
      logged.mockRestore();
      process.env.STRIPE_WEBHOOK_SECRET = saved;
    }
  });
});

describe('bad input', () => {
  it.each([
    ['/api/checkout', '{not json', 400, /JSON/],
    ['/api/checkout', { token: 'abc', productId: 'wallpapers-warm' }, 400, /UUID v4/],
    ['/api/checkout', { token: randomUUID() }, 400, /productId/],
    ['/api/checkout', { token: randomUUID(), productId: 'nope' }, 400, /Unknown productId "nope"/],
    ['/api/checkout/confirm', { sessionId: 'pi_123' }, 400, /cs_/],
    ['/api/checkout/confirm', { sessionId: 'cs_test_doesnotexist' }, 404, /No Checkout Session/],
    ['/api/wallpapers/download', { tokens: [], wallpaperId: randomUUID() }, 400, /at least one/],
    ['/api/wallpapers/download', { tokens: [randomUUID()], wallpaperId: 'x' }, 400, /wallpaperId/],
  ])('%s with %j answers %i', async (path, body, status, message) => {
    const res = await shop.post(path, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toMatch(message);
  });

  it('caps body sizes (413) on every function', async () => {
    for (const path of ['/api/checkout', '/api/checkout/confirm', '/api/wallpapers/download']) {
      const res = await shop.post(path, { pad: 'x'.repeat(20_000) });
      expect(res.status).toBe(413);
    }
  });
});

describe('signed file URLs', () => {
  const dune = wallpaperIdFor('dune');

  it('issues a URL only to a holder of a paid token, and serves the file with the right headers', async () => {
    const denied = await shop.post('/api/wallpapers/download', { tokens: [randomUUID()], wallpaperId: dune });
    expect(denied.status).toBe(403);
    const other = await shop.post('/api/wallpapers/download', {
      tokens: [paidToken],
      wallpaperId: wallpaperIdFor('aurora'),
    });
    expect(other.status).toBe(403);

    const res = await shop.post('/api/wallpapers/download', { tokens: [paidToken], wallpaperId: dune });
    const { url } = await res.json();
    expect(url).not.toContain(paidToken);
    const bytes = await fetchAttachment(shop, url, 'image/png', 'dune.png');
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses a tampered URL (403) and an expired one (410)', async () => {
    const { url } = await (
      await shop.post('/api/wallpapers/download', { tokens: [paidToken], wallpaperId: dune })
    ).json();
    const tampered = url.replace(`id=${dune}`, `id=${wallpaperIdFor('aurora')}`);
    expect((await fetch(`${shop.api}${tampered}`)).status).toBe(403);
    const expired = signedPath({ kind: 'wallpaper', id: dune, disposition: 'inline' }, Date.now() - 60 * 60 * 1000);
    const res = await fetch(`${shop.api}${expired}`);
    expect(res.status).toBe(410);
    expect((await res.json()).error).toMatch(/expired/);
  });
});

describe('rate limits', () => {
  const checkoutFrom = (address: string, headers: Record<string, string> = {}) =>
    postJsonFrom(address, `${shop.api}/api/checkout`, { token: randomUUID(), productId: 'wallpapers-warm' }, headers);
  const bucketPrefix = (address: string) =>
    `checkout:${createHash('sha256').update(address).digest('hex').slice(0, 16)}:`;

  it('refuses checkout calls past the limit with 429 and Retry-After, counting concurrent calls exactly', async () => {
    const address = '127.0.0.77';
    // 45 calls at once: more than two full windows of 20, so even a burst that straddles a window
    // boundary must see refusals.
    const answers = await Promise.all(Array.from({ length: 45 }, () => checkoutFrom(address)));
    const ok = answers.filter((r) => r.status === 200).length;
    const refused = answers.filter((r) => r.status === 429);
    expect(ok + refused.length).toBe(45);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused[0].text).error).toMatch(/Too many requests/);

    // Every admitted call holds one slot, and no window holds more than the limit.
    const { rateSlots } = await shop.admin.query({
      rateSlots: { $: { where: { bucket: { $like: `${bucketPrefix(address)}%` } } } },
    });
    expect(rateSlots).toHaveLength(ok);
    const perWindow = new Map<string, number>();
    for (const slot of rateSlots) perWindow.set(slot.bucket, (perWindow.get(slot.bucket) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBe(20);

    // Another client (another source address) is not affected.
    expect((await checkoutFrom('127.0.0.78')).status).toBe(200);
  });

  it('keys on the connection, never on forwarding headers the caller sends', async () => {
    const attacker = '127.0.0.81';
    const victim = '127.0.0.82';
    // Each call claims to come from somewhere else, the victim's address included: all of them
    // still count against the attacker's own address, and none against the victim or the claims.
    const answers = await Promise.all(
      Array.from({ length: 45 }, (_, n) =>
        checkoutFrom(attacker, {
          'x-forwarded-for': n % 3 ? `198.51.100.${n}` : victim,
          'x-real-ip': `203.0.113.${n}`,
          'x-vercel-forwarded-for': `192.0.2.${n}`,
          forwarded: `for=192.0.2.${n}`,
        }),
      ),
    );
    const ok = answers.filter((r) => r.status === 200).length;
    expect(answers.filter((r) => r.status === 429).length).toBe(45 - ok);
    expect(45 - ok).toBeGreaterThanOrEqual(5);
    const slots = async (address: string) =>
      (await shop.admin.query({ rateSlots: { $: { where: { bucket: { $like: `${bucketPrefix(address)}%` } } } } }))
        .rateSlots.length;
    expect(await slots(attacker)).toBe(ok);
    expect(await slots(victim)).toBe(0);
    expect(await slots('198.51.100.1')).toBe(0);
    expect(await slots('203.0.113.1')).toBe(0);
    expect(await slots('192.0.2.1')).toBe(0);
    expect((await checkoutFrom(victim)).status).toBe(200);
  });
});
