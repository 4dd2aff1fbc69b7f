// Who may use the operator functions, and who may see operator data: only emails listed in
// OPERATOR_EMAILS, checked by the server; the log, audit trail and claims are invisible to every
// client through permissions.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '../support/ops.ts';
import { signIn, guestCheckout, type SignedIn } from '../support/shop.ts';
import { startShopStack, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack;
let operator: SignedIn;
let buyer: SignedIn;

const CALLS: [string, unknown][] = [
  ['me', {}],
  ['find', { email: 'someone@example.com' }],
  ['recover', { email: 'someone@example.com' }],
  ['resend-receipt', { sessionId: 'cs_test_nothing' }],
  ['refund', { sessionId: 'cs_test_nothing' }],
  ['reconcile', { since: '1h' }],
  ['webhooks', {}],
  ['replay', { eventId: 'evt_nothing' }],
  ['audit', {}],
  ['overview', { range: 'today', timeZone: 'UTC' }],
  ['attention', { kind: 'unfulfilled' }],
  ['export', { what: 'purchases', from: '2026-01-01', to: '2026-01-02', timeZone: 'UTC' }],
];

beforeAll(async () => {
  shop = await startShopStack();
  // Listed with odd case and spaces: compared lower-cased and trimmed.
  process.env.OPERATOR_EMAILS = ' Boss@Example.com , ops@example.com';
  operator = await signIn(shop, 'ops@example.com');
  buyer = await signIn(shop, 'buyer-access@example.com');
  const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', buyer.email);
  await shop.stripeLocal.whenDeliveriesIdle();
  await ops(shop, operator, 'find', { email: buyer.email });
  await ops(shop, operator, 'resend-receipt', { sessionId });
});
afterAll(async () => {
  await shop.close();
});

describe('operator functions', () => {
  it.each(CALLS)('%s answers 401 without a sign-in and with a bad token', async (command, body) => {
    for (const headers of [{}, { authorization: `Bearer ${randomUUID()}` }] as Record<string, string>[]) {
      const res = await shop.post(`/api/ops/${command}`, body, headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/sign in/i);
    }
  });

  it.each(CALLS)('%s answers 403 to a signed-in user who is not an operator', async (command, body) => {
    const res = await shop.post(`/api/ops/${command}`, body, { authorization: `Bearer ${buyer.token}` });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatch(/is not an operator/);
  });

  it('lets listed operators in, whatever the case of the listed email', async () => {
    const boss = await signIn(shop, 'boss@example.com');
    expect(await ops(shop, boss, 'me')).toEqual({ operator: 'boss@example.com' });
    expect(await ops(shop, operator, 'me')).toEqual({ operator: 'ops@example.com' });
  });

  it('refuses everyone once OPERATOR_EMAILS is emptied', async () => {
    const saved = process.env.OPERATOR_EMAILS;
    process.env.OPERATOR_EMAILS = '';
    try {
      expect((await shop.post('/api/ops/me', {}, { authorization: `Bearer ${operator.token}` })).status).toBe(403);
    } finally {
      process.env.OPERATOR_EMAILS = saved;
    }
  });

  it('refuses bad and oversized bodies with 400 and 413', async () => {
    const bearer = { authorization: `Bearer ${operator.token}` };
    for (const [command, body] of [
      ['find', {}],
      ['find', { email: 'not-an-email' }],
      ['refund', { sessionId: 'pi_123' }],
      ['refund', { sessionId: 'cs_test_x', amount: -5 }],
      ['reconcile', { since: 'yesterday-ish' }],
      ['replay', { eventId: 'cs_x' }],
      ['webhooks', { outcome: 'maybe' }],
      ['find', 'not json'],
      ['overview', { range: 'today' }],
      ['overview', { range: 'week', timeZone: 'UTC' }],
      ['overview', { range: 'today', timeZone: 'Mars/Olympus' }],
      ['overview', { range: 'custom', timeZone: 'UTC' }],
      ['overview', { range: 'custom', from: '2026-02-30', to: '2026-03-01', timeZone: 'UTC' }],
      ['attention', { kind: 'everything' }],
      ['attention', { kind: 'unfulfilled', cursor: 'not-a-cursor' }],
      ['export', { what: 'secrets', from: '2026-01-01', to: '2026-01-02', timeZone: 'UTC' }],
      ['export', { what: 'purchases', from: '2026-01-02', to: '2026-01-01', timeZone: 'UTC' }],
    ] as const) {
      const res = await shop.post(`/api/ops/${command}`, body, bearer);
      expect(res.status, `${command} ${JSON.stringify(body)}`).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    expect((await shop.post('/api/ops/find', { email: `${'x'.repeat(5000)}@example.com` }, bearer)).status).toBe(413);
  });
});

describe('the one operator function', () => {
  it('answers 404 naming the commands to an unknown command, before any sign-in is checked', async () => {
    for (const headers of [{}, { authorization: `Bearer ${operator.token}` }] as Record<string, string>[]) {
      const res = await shop.post('/api/ops/toString', {}, headers);
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatch(/no operator command "toString".*overview/);
    }
  });

  it('names the time zone fix when the zone is unknown', async () => {
    const res = await shop.post(
      '/api/ops/overview',
      { range: '7d', timeZone: 'Mars/Olympus' },
      { authorization: `Bearer ${operator.token}` },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/IANA time zone name such as Europe\/Paris.*Mars\/Olympus/);
  });

  it('takes PUT only for redeeming a recovery link', async () => {
    const res = await fetch(`${shop.api}/api/ops/find`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` },
      body: JSON.stringify({ email: 'someone@example.com' }),
    });
    expect(res.status).toBe(405);
    expect((await res.json()).error).toMatch(/only \/api\/ops\/recover takes PUT/i);
  });
});

describe('operator data in queries', () => {
  it('exists for the admin SDK', async () => {
    const all = await shop.admin.query({ webhookEvents: {}, opsActions: {}, receiptResends: {} });
    expect(all.webhookEvents.length).toBeGreaterThan(0);
    expect(all.opsActions.length).toBeGreaterThan(0);
    expect(all.receiptResends.length).toBeGreaterThan(0);
  });

  it('is invisible to a signed-in non-operator, to an operator as a client, and to a guest', async () => {
    for (const as of [{ token: buyer.token }, { token: operator.token }, { guest: true as const }]) {
      const db = shop.admin.asUser(as);
      const seen = await db.query({ webhookEvents: {}, opsActions: {}, receiptResends: {} });
      expect(seen, JSON.stringify(as)).toEqual({ webhookEvents: [], opsActions: [], receiptResends: [] });
    }
  });

  it('cannot be written by any client', async () => {
    const { opsActions } = await shop.admin.query({ opsActions: { $: { limit: 1 } } });
    const db = shop.admin.asUser({ token: operator.token });
    const attempts = [
      db.tx.opsActions[randomUUID()].create({ operator: 'me', action: 'forged', ok: true, createdAt: Date.now() }),
      db.tx.opsActions[opsActions[0].id].update({ operator: 'someone else' }),
      db.tx.opsActions[opsActions[0].id].delete(),
      db.tx.webhookEvents[randomUUID()].create({
        type: 'x',
        outcome: 'fulfilled',
        source: 'webhook',
        durationMs: 1,
        receivedAt: Date.now(),
      }),
      db.tx.receiptResends[randomUUID()].create({ slot: 'x:1', sessionId: 'x', by: 'me', createdAt: Date.now() }),
    ];
    for (const step of attempts)
      await expect(db.transact(step)).rejects.toMatchObject({
        body: { type: expect.stringMatching(/permission|validation/) },
      });
    expect(
      (await shop.admin.query({ opsActions: { $: { where: { id: opsActions[0].id } } } })).opsActions[0],
    ).toMatchObject({ operator: opsActions[0].operator });
  });
});
