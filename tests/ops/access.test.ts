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
    ] as const) {
      const res = await shop.post(`/api/ops/${command}`, body, bearer);
      expect(res.status, `${command} ${JSON.stringify(body)}`).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    expect((await shop.post('/api/ops/find', { email: `${'x'.repeat(5000)}@example.com` }, bearer)).status).toBe(413);
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
