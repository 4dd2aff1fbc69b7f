// One fault per class on the money paths, injected by the stand-ins' fault controls, with the
// real SDKs doing all the talking; each case ends with exact counts.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reconcile } from '../../api/_lib/ops/reconcile.ts';
import { ledgerOf as ledgerWithBalances } from '../support/credits.ts';
import { clientFor, nextResult } from '../support/instant-clients.ts';
import { creditsCheckout, guestCheckout, purchaseOf, receiptsTo, setWebhooks, signIn } from '../support/shop.ts';
import { startShopStack, type ShopStack } from '../support/shop-stack.ts';
import schema from '../../instant.schema.ts';

let shop: ShopStack;
const clients: ReturnType<typeof clientFor>[] = [];
const since = new Date(Date.now() - 60_000);
let n = 0;
const tag = () => `${Date.now().toString(36)}-${n++}`;

const instantHeaders = () => ({
  'content-type': 'application/json',
  authorization: `Bearer ${shop.instant.adminToken}`,
  'app-id': shop.instant.appId,
});
async function instantFaults(body: unknown): Promise<void> {
  const res = await fetch(`${shop.instant.url}/_local/faults`, {
    method: 'POST',
    headers: instantHeaders(),
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
const instantInjected = async () =>
  ((await (await fetch(`${shop.instant.url}/_local/faults`, { headers: instantHeaders() })).json()) as any).injected;
const stripeFaults = async (body: unknown) => expect((await shop.local('faults', body)).status).toBe(200);
const stripeInjected = async () =>
  ((await (await fetch(`${shop.stripeLocal.url}/_local/faults`)).json()) as any).api.injected;
const mailFaults = (body: unknown) =>
  fetch(`${shop.mailbox.url}/_local/faults`, { method: 'POST', body: JSON.stringify(body) });
const mailInjected = async () => ((await (await fetch(`${shop.mailbox.url}/_local/faults`)).json()) as any).injected;
const receiptOf = async (sessionId: string) =>
  (await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts;
const ledgerOf = async (userId: string) =>
  (await ledgerWithBalances(shop.admin, userId)).map((e) => [e.ref, e.amount, e.balance]);

beforeAll(async () => {
  shop = await startShopStack({ webhookAttempts: 8 });
  process.env.STRIPE_TIMEOUT_MS = '500';
});
afterEach(async () => {
  await instantFaults({});
  await stripeFaults({});
  await mailFaults({});
  await setWebhooks(shop, true);
});
afterAll(async () => {
  delete process.env.STRIPE_TIMEOUT_MS;
  clients.forEach((c) => c.shutdown());
  await shop.close();
});

describe('faults on the money paths', () => {
  it('a purchase write that commits and loses its answer: the webhook fails, Stripe redelivers, one purchase, one receipt', async () => {
    const email = `lost-purchase.${tag()}@example.com`;
    const { sessionId, token } = await guestCheckout(shop, 'wallpapers-warm');
    await instantFaults({
      rules: [{ path: '/admin/transact', match: '"status":"paid"', max: 1, rates: { lost_answer: 1 } }],
    });
    expect((await shop.pay(sessionId, { email, card: '4242424242424242' })).status).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await instantInjected()).toEqual({ lost_answer: 1 });
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid', unlockToken: token });
    expect(receiptsTo(shop, email)).toHaveLength(1);
    expect((await receiptOf(sessionId)).map((r) => r.status)).toEqual(['sent']);
    const { data: events } = await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 100 });
    const event = events.find((e) => (e.data.object as { id: string }).id === sessionId)!;
    const mine = shop.stripeLocal.deliveries().filter((d) => d.event_id === event.id);
    expect(mine.map((d) => [d.response_status, d.status])).toEqual([
      [500, 'retrying'],
      [200, 'succeeded'],
    ]);
  });

  it('a receipt claim whose answer is lost is read back: the receipt is sent once, not left at "sending"', async () => {
    const email = `lost-claim.${tag()}@example.com`;
    await instantFaults({
      rules: [{ path: '/admin/transact', match: '"sending"', max: 1, rates: { lost_answer: 1 } }],
    });
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await instantInjected()).toEqual({ lost_answer: 1 });
    expect(receiptsTo(shop, email)).toHaveLength(1);
    expect((await receiptOf(sessionId)).map((r) => r.status)).toEqual(['sent']);
  });

  it('a ledger append that commits and loses its answer is read back: one grant, then one spend', async () => {
    const buyer = await signIn(shop, `lost-ledger.${tag()}@example.com`);
    await instantFaults({
      rules: [{ path: '/admin/transact', match: 'ledgerEntries', max: 1, rates: { lost_answer: 1 } }],
    });
    const from = shop.stripeLocal.deliveries().length;
    const sessionId = await creditsCheckout(shop, buyer);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await instantInjected()).toEqual({ lost_answer: 1 });
    expect(await ledgerOf(buyer.id)).toEqual([[`grant:${sessionId}`, 10, 10]]);
    // Resolved inside the request by reading the entry back: no delivery had to be retried.
    expect(
      shop.stripeLocal
        .deliveries()
        .slice(from)
        .filter((d) => d.status !== 'succeeded'),
    ).toEqual([]);

    await instantFaults({
      rules: [{ path: '/admin/transact', match: 'ledgerEntries', max: 1, rates: { lost_answer: 1 } }],
    });
    const spent = await shop.post('/api/generate', { topic: 'rain' }, { authorization: `Bearer ${buyer.token}` });
    expect(spent.status, await spent.clone().text()).toBe(200);
    expect(await instantInjected()).toEqual({ lost_answer: 1 });
    const entries = await ledgerOf(buyer.id);
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e[2])).toEqual([10, 9]);
  });

  it('a Stripe call that hangs past the timeout during confirm is retried under its idempotency key: paid once', async () => {
    const email = `confirm-timeout.${tag()}@example.com`;
    const { sessionId, token } = await guestCheckout(shop, 'wallpapers-warm');
    await shop.local('webhooks/hold');
    await shop.pay(sessionId, { email, card: '4242424242424242' });
    await stripeFaults({
      api: { hang_ms: 60_000, rules: [{ path: '/v1/checkout/sessions/', max: 1, rates: { hang: 1 } }] },
    });
    const res = await shop.post('/api/checkout/confirm', { sessionId });
    expect(await stripeInjected()).toEqual({ hang: 1 });
    expect(await res.json()).toEqual({ status: 'paid' });
    await stripeFaults({});
    await shop.local('webhooks/release');
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid', unlockToken: token });
    expect(receiptsTo(shop, email)).toHaveLength(1);
  });

  it('429s during reconcile are waited out (Retry-After) and the missed purchase is repaired once', async () => {
    const email = `reconcile-429.${tag()}@example.com`;
    await setWebhooks(shop, false);
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'pending' });
    await stripeFaults({ api: { rules: [{ path: '/v1/', max: 2, rates: { rate_limit_429: 1 } }] } });
    const report = await reconcile({ since, by: 'test:faults' });
    expect(await stripeInjected()).toEqual({ rate_limit_429: 2 });
    expect(report.errors).toEqual([]);
    expect(report.repaired.filter((r) => r.sessionId === sessionId)).toHaveLength(1);
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid' });
    expect(receiptsTo(shop, email)).toHaveLength(1);
  });

  it('a failed send is retried once at once; sends that keep failing are recorded failed and reconcile sends one', async () => {
    const once = `mail-once.${tag()}@example.com`;
    await mailFaults({ rules: [{ path: '/emails', max: 1, rates: { fail: 1 } }] });
    const first = await guestCheckout(shop, 'wallpapers-warm', once);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await mailInjected()).toEqual({ fail: 1 });
    expect(receiptsTo(shop, once)).toHaveLength(1);
    expect((await receiptOf(first.sessionId)).map((r) => r.status)).toEqual(['sent']);

    const down = `mail-down.${tag()}@example.com`;
    await mailFaults({ rules: [{ path: '/emails', rates: { fail: 1 } }] });
    const second = await guestCheckout(shop, 'wallpapers-warm', down);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await mailInjected()).toEqual({ fail: 2 });
    expect(receiptsTo(shop, down)).toHaveLength(0);
    expect((await receiptOf(second.sessionId)).map((r) => r.status)).toEqual(['failed']);
    await mailFaults({});
    const report = await reconcile({ since, by: 'test:faults-mail' });
    expect(report.receiptsResent.filter((r) => r.sessionId === second.sessionId)).toEqual([
      { sessionId: second.sessionId, to: down, result: 'sent' },
    ]);
    expect(receiptsTo(shop, down)).toHaveLength(1);
    expect(receiptsTo(shop, once)).toHaveLength(1);
  });

  it('a dropped socket during live unlock: the page unlocks when it reconnects', async () => {
    const email = `drop-unlock.${tag()}@example.com`;
    const { token, sessionId } = await guestCheckout(shop, 'wallpapers-warm');
    const db = clientFor(shop.instant, schema);
    clients.push(db);
    const q = { wallpapers: { $: { where: { slug: 'dune' } } } };
    const before = await nextResult(db, q, (r) => Boolean(r.data?.wallpapers?.length), {
      ruleParams: { tokens: [token] },
    });
    expect(before.data!.wallpapers[0]).not.toHaveProperty('fullResUrl');
    const statuses: string[] = [];
    db._reactor.subscribeConnectionStatus((s: string) => statuses.push(s));

    const dropped = await fetch(`${shop.instant.url}/_local/faults/drop-sockets`, {
      method: 'POST',
      headers: instantHeaders(),
      body: '{}',
    });
    expect(((await dropped.json()) as any).dropped).toBeGreaterThanOrEqual(1);
    const unlocked = nextResult(db, q, (r) => Boolean(r.data?.wallpapers?.[0]?.fullResUrl), {
      ruleParams: { tokens: [token] },
    });
    await shop.pay(sessionId, { email, card: '4242424242424242' });
    expect((await unlocked).data!.wallpapers[0].fullResUrl).toBe('dune.png');
    expect(statuses).toContain('closed');
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid' });
    expect(receiptsTo(shop, email)).toHaveLength(1);
  });

  it('webhook deliveries that fail, or are handled and then time out, are redelivered: one purchase, one receipt, one grant', async () => {
    const guestEmail = `hooks-guest.${tag()}@example.com`;
    const buyer = await signIn(shop, `hooks-credits.${tag()}@example.com`);
    // Every delivery faults until six have: fewer than the 8 attempts each delivery gets.
    await stripeFaults({ webhooks: { seed: 15, rules: [{ path: '*', max: 6, rates: { fail: 0.5, timeout: 0.5 } }] } });
    const guest = await guestCheckout(shop, 'wallpapers-warm', guestEmail);
    const credits = await creditsCheckout(shop, buyer);
    await shop.stripeLocal.whenDeliveriesIdle();
    const injected = ((await (await fetch(`${shop.stripeLocal.url}/_local/faults`)).json()) as any).webhooks.injected;
    expect((injected.fail ?? 0) + (injected.timeout ?? 0)).toBe(6);
    expect(shop.stripeLocal.deliveries().filter((d) => d.status === 'failed')).toEqual([]);
    expect(await purchaseOf(shop, guest.sessionId)).toMatchObject({ status: 'paid', unlockToken: guest.token });
    expect(await purchaseOf(shop, credits)).toMatchObject({ status: 'paid' });
    expect(receiptsTo(shop, guestEmail)).toHaveLength(1);
    expect(receiptsTo(shop, buyer.email)).toHaveLength(1);
    expect(await ledgerOf(buyer.id)).toEqual([[`grant:${credits}`, 10, 10]]);
  });

  it('refused ledger writes are retried with backoff: one grant, nothing doubled', async () => {
    const buyer = await signIn(shop, `refused-ledger.${tag()}@example.com`);
    await instantFaults({ rules: [{ path: '/admin/transact', match: 'ledgerEntries', max: 2, rates: { refuse: 1 } }] });
    const sessionId = await creditsCheckout(shop, buyer);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await instantInjected()).toEqual({ refuse: 2 });
    expect(await ledgerOf(buyer.id)).toEqual([[`grant:${sessionId}`, 10, 10]]);
    expect(receiptsTo(shop, buyer.email)).toHaveLength(1);
  });

  it('slow commits past the deadline: the receipt claim and the ledger append are retried, and the late commits are refused', async () => {
    process.env.INSTANT_TIMEOUT_MS = '150';
    try {
      const buyer = await signIn(shop, `slow.${tag()}@example.com`);
      await instantFaults({
        hang_ms: 600,
        rules: [
          { path: '/admin/transact', match: '"sending"', max: 1, rates: { slow: 1 } },
          { path: '/admin/transact', match: 'ledgerEntries', max: 1, rates: { slow: 1 } },
        ],
      });
      const sessionId = await creditsCheckout(shop, buyer);
      await shop.stripeLocal.whenDeliveriesIdle();
      expect(await instantInjected()).toEqual({ slow: 2 });
      // Wait (polling, bounded) until both held commits have run and been refused.
      await vi.waitFor(
        async () => {
          const res = await fetch(`${shop.instant.url}/_local/faults`, { headers: instantHeaders() });
          expect(((await res.json()) as any).slow_in_flight).toBe(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(await ledgerOf(buyer.id)).toEqual([[`grant:${sessionId}`, 10, 10]]);
      expect((await receiptOf(sessionId)).map((r) => r.status)).toEqual(['sent']);
      expect(receiptsTo(shop, buyer.email)).toHaveLength(1);
    } finally {
      delete process.env.INSTANT_TIMEOUT_MS;
    }
  });
});
