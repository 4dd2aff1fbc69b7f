// The operator overview against a shop where a known set of things happened: purchases of every
// kind in two currencies, a partial and a full refund, a dispute, a checkout left open, a delayed
// payment, credit spends, failed receipts, a paid purchase of unknown type and a delivery that
// failed. Each figure equals what was made; the attention lists page through what they count.
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateLegacyLedgers } from '../../api/_lib/credits/migrate-legacy.ts';
import { overview } from '../../api/_lib/ops/overview.ts';
import { dayOf } from '../../api/_lib/ops/zoned-time.ts';
import { runCli } from '../../scripts/ops.ts';
import type { AttentionPage, OverviewResult } from '../../contracts/ops.ts';
import { rawSession } from '../../local/instant/conformance/raw-session.ts';
import { writeLegacyLedger } from '../support/credits.ts';
import { buyInCurrency, buyUntyped, ops, withOperatorShop } from '../support/ops.ts';
import { bearer, buy, checkout, creditsCheckout, paymentIntentOf, signIn, type SignedIn } from '../support/shop.ts';
import { withReceiptsFailing, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
withOperatorShop((s) => ({ shop, operator } = s));

const TZ = 'Pacific/Auckland';
const made = {} as Record<'partial' | 'full' | 'disputed' | 'eur' | 'untyped' | 'open' | 'delayed', string>;
const failedReceipts: string[] = [];
let webhookFailures = 0;

beforeAll(async () => {
  // USD, paid: Warm trio 500 (+3 below, their receipts failing), credits 500, and the plan 1500 disputed.
  await buy(shop, 'wallpapers-warm', 'plain@example.com');
  made.partial = (await buy(shop, 'field-guide', 'partial@example.com')).sessionId; // 300, 100 refunded
  made.full = (await buy(shop, 'wallpapers-all', 'full@example.com')).sessionId; // 1200, all refunded
  await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, made.partial)).pi, amount: 100 });
  await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, made.full)).pi });

  const planBuyer = await signIn(shop, 'plan@example.com');
  const plan = await shop.post('/api/plans/checkout', { planId: 'plan-medium' }, bearer(planBuyer));
  made.disputed = new URL((await plan.json()).url).pathname.split('/').pop()!;
  await shop.pay(made.disputed, { email: planBuyer.email, card: '4242424242424242' });
  await shop.stripeLocal.whenDeliveriesIdle();
  await shop.local(`charges/${(await paymentIntentOf(shop, made.disputed)).charge}/dispute`);

  // 10 credits bought, 2 spent.
  const reader = await signIn(shop, 'reader@example.com');
  await creditsCheckout(shop, reader);
  await shop.stripeLocal.whenDeliveriesIdle();
  for (const topic of ['rain', 'snow'])
    expect((await shop.post('/api/generate', { topic }, bearer(reader))).status).toBe(200);

  await withReceiptsFailing(async () => {
    for (const n of [1, 2, 3])
      failedReceipts.push((await buy(shop, 'wallpapers-warm', `noreceipt${n}@example.com`)).sessionId);
  });
  made.eur = await buyInCurrency(shop, 'field-guide', 'eur', 900, '=2+3@example.com');
  made.untyped = await buyUntyped(shop, 700, 'untyped@example.com');
  made.open = (await checkout(shop, 'wallpapers-warm')).sessionId;
  made.delayed = (await checkout(shop, 'wallpapers-all')).sessionId;
  await shop.pay(made.delayed, { email: 'slow@example.com', method: 'delayed' });

  // A delivery that failed: posted unsigned (the log records it as rejected).
  const res = await fetch(`${shop.api}/api/stripe/webhook`, {
    method: 'POST',
    headers: { 'stripe-signature': 't=1,v1=x' },
    body: '{}',
  });
  expect(res.status).toBe(400);
  webhookFailures = 1;
  await shop.stripeLocal.whenDeliveriesIdle();
}, 120_000);

const sevenDays = () => ops<OverviewResult>(shop, operator, 'overview', { range: '7d', timeZone: TZ });

describe('overview', () => {
  it('shows revenue per currency, day, kind and product as it was made', async () => {
    const o = await sevenDays();
    expect(o.range.timeZone).toBe(TZ);
    expect(o.range.days).toHaveLength(7);
    expect(o.range.days.at(-1)).toBe(dayOf(Date.now(), TZ));
    expect(o.truncated).toBe(false);
    // USD: 500 + 300 + 1200 + 1500 + 500 + 3 × 500 + 700 sold; 100 + 1200 refunded; 1500 disputed.
    const [eur, usd] = o.revenue;
    expect(usd).toMatchObject({ currency: 'usd', gross: 6200, refunded: 1300, disputed: 1500, net: 3400 });
    expect(eur).toMatchObject({ currency: 'eur', gross: 900, refunded: 0, disputed: 0, net: 900 });
    for (const c of o.revenue) {
      expect(c.perDay.map((d) => d.day)).toEqual(o.range.days);
      const sum = (k: 'gross' | 'refunded' | 'disputed' | 'net') => c.perDay.reduce((n, d) => n + d[k], 0);
      expect([sum('gross'), sum('refunded'), sum('disputed'), sum('net')]).toEqual([
        c.gross,
        c.refunded,
        c.disputed,
        c.net,
      ]);
    }
    expect(usd.byKind).toEqual([
      { kind: 'wallpapers', count: 5, gross: 3200, refunded: 1200, disputed: 0, net: 2000 },
      { kind: 'download', count: 1, gross: 300, refunded: 100, disputed: 0, net: 200 },
      { kind: 'credits', count: 1, gross: 500, refunded: 0, disputed: 0, net: 500 },
      { kind: 'plan', count: 1, gross: 1500, refunded: 0, disputed: 1500, net: 0 },
      { kind: 'unknown', count: 1, gross: 700, refunded: 0, disputed: 0, net: 700 },
    ]);
    expect(usd.byProduct.map((p) => [p.title, p.count, p.gross, p.net])).toEqual([
      ['Warm trio', 4, 2000, 2000],
      ['Medium plan', 1, 1500, 0],
      ['Every wallpaper', 1, 1200, 0],
      ['(none)', 1, 700, 700],
      ['10 credits', 1, 500, 500],
      ['The Wallpaper Field Guide', 1, 300, 200],
    ]);
    expect(eur.byProduct).toMatchObject([{ title: 'The Wallpaper Field Guide', count: 1, gross: 900 }]);
  });

  it('counts purchases by status and credits sold, spent and outstanding', async () => {
    const o = await sevenDays();
    expect(o.purchasesByStatus).toEqual([
      { status: 'paid', count: 8 },
      { status: 'pending', count: 2 },
      { status: 'disputed', count: 1 },
      { status: 'refunded', count: 1 },
    ]);
    expect(o.credits).toEqual({ sold: 10, spent: 2, clawedBack: 0, outstanding: 8 });
  });

  it('shows webhook health from the log: deliveries, failures, handler times, last delivery, per hour', async () => {
    const o = await sevenDays();
    const { webhookEvents } = await shop.admin.query({ webhookEvents: {} });
    const durations = webhookEvents.map((e) => e.durationMs).sort((a, b) => a - b);
    const rank = (p: number) => durations[Math.ceil((p / 100) * durations.length) - 1];
    expect(o.webhooks).toMatchObject({
      partial: false,
      deliveries: webhookEvents.length,
      failures: webhookFailures,
      medianMs: rank(50),
      p95Ms: rank(95),
      lastDeliveryAt: new Date(Math.max(...webhookEvents.map((e) => new Date(e.receivedAt).getTime()))).toISOString(),
    });
    expect(o.webhooks.perHour.reduce((n, h) => n + h.deliveries, 0)).toBe(webhookEvents.length);
    expect(o.webhooks.perHour.reduce((n, h) => n + h.failures, 0)).toBe(webhookFailures);
    expect(o.webhooks.perHour[0].hour).toBe(`${o.range.days[0]}T00`);
    expect(new Set(o.webhooks.perHour.map((h) => h.hour)).size).toBe(o.webhooks.perHour.length);
  });

  it('says the log covers only its 30 days for a longer range, rather than showing zeros', async () => {
    const today = dayOf(Date.now(), TZ);
    const from = dayOf(Date.now() - 60 * 86_400_000, TZ);
    const o = await ops<OverviewResult>(shop, operator, 'overview', { range: 'custom', from, to: today, timeZone: TZ });
    expect(o.range.days).toHaveLength(61);
    expect(o.webhooks.partial).toBe(true);
    expect(Date.parse(o.webhooks.coveredFrom)).toBeGreaterThan(Date.now() - 31 * 86_400_000);
    expect(o.revenue.find((c) => c.currency === 'usd')?.gross).toBe(6200);
  });

  it('counts the days of the CLI --range in the zone its --tz names (a bad --tz: tests/cli-help.test.ts)', async () => {
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId: made.eur } } } });
    const soldAt = new Date(purchases[0].createdAt).getTime();
    // 25 hours apart: the one EUR sale falls on a different day in each.
    const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    expect(dayOf(soldAt, zones[0])).not.toBe(dayOf(soldAt, zones[1]));
    for (const tz of zones) {
      const o = (await runCli(['overview', '--range', '30d', '--tz', tz], 'cli:tester')).result as OverviewResult;
      const eur = o.revenue.find((c) => c.currency === 'eur')!;
      expect([o.range.timeZone, o.range.days.length]).toEqual([tz, 30]);
      expect(eur.perDay.filter((d) => d.gross > 0)).toMatchObject([{ day: dayOf(soldAt, tz), gross: 900 }]);
    }
  });

  it('reads a bounded number of rows and says when a range held more', async () => {
    const o = await overview({ range: '7d', timeZone: TZ }, { cap: 5 });
    expect(o.truncated).toBe(true);
    expect(o.purchasesByStatus.reduce((n, s) => n + s.count, 0)).toBe(5);
    const full = await sevenDays();
    expect(full.rowsRead).toBeGreaterThan(o.rowsRead);
  });
});

describe('attention', () => {
  it('counts what needs attention, each with its list', async () => {
    const o = await sevenDays();
    expect(o.attention).toEqual([
      {
        kind: 'unfulfilled',
        count: 1,
        href: '/ops/attention/unfulfilled',
        reasons: [{ reason: expect.stringMatching(/^Unknown purchase type/), count: 1 }],
      },
      { kind: 'failed-receipts', count: 3, href: '/ops/attention/failed-receipts' },
      // The delayed payment is younger than a day.
      { kind: 'stale-pending', count: 0, href: '/ops/attention/stale-pending' },
      { kind: 'open-disputes', count: 1, href: '/ops/attention/open-disputes' },
    ]);
    // A day later it is stale; the checkout left open never is (it is not a payment).
    const later = await overview({ range: '7d', timeZone: TZ }, { now: Date.now() + 2 * 86_400_000 });
    expect(later.attention.find((a) => a.kind === 'stale-pending')?.count).toBe(1);
  });

  it('pages through a list, newest first, with a cursor', async () => {
    const first = await ops<AttentionPage>(shop, operator, 'attention', { kind: 'failed-receipts', limit: 2 });
    expect(first.rows).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await ops<AttentionPage>(shop, operator, 'attention', {
      kind: 'failed-receipts',
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.nextCursor).toBeNull();
    const rows = [...first.rows, ...second.rows];
    expect(rows.map((r) => r.sessionId)).toEqual([...failedReceipts].reverse());
    expect(rows.every((r) => r.receipt?.status === 'failed' && r.title === 'Warm trio')).toBe(true);

    const disputes = await ops<AttentionPage>(shop, operator, 'attention', { kind: 'open-disputes' });
    expect(disputes.rows).toMatchObject([{ sessionId: made.disputed, status: 'disputed', kind: 'plan', amount: 1500 }]);
    const unfulfilled = await ops<AttentionPage>(shop, operator, 'attention', { kind: 'unfulfilled' });
    expect(unfulfilled.rows).toMatchObject([{ sessionId: made.untyped, unfulfilledReason: expect.any(String) }]);
  });

  it('writes the derived fields at fulfilment: a partial refund stays paid', async () => {
    const { purchases } = await shop.admin.query({
      purchases: { $: { where: { sessionId: { $in: Object.values(made) } } } },
    });
    const by = Object.fromEntries(purchases.map((p) => [p.sessionId, p]));
    const fields = (s: string) => {
      const { status, refundedAmount, disputedAmount, openDisputes, pendingKind } = by[s];
      return { status, refundedAmount, disputedAmount, openDisputes, pendingKind };
    };
    expect(fields(made.partial)).toEqual({
      status: 'paid',
      refundedAmount: 100,
      disputedAmount: 0,
      openDisputes: 0,
      pendingKind: undefined,
    });
    expect(fields(made.full)).toMatchObject({ status: 'refunded', refundedAmount: 1200 });
    expect(fields(made.disputed)).toMatchObject({ status: 'disputed', disputedAmount: 1500, openDisputes: 1 });
    expect(fields(made.open)).toMatchObject({ status: 'pending', pendingKind: 'open-checkout' });
    expect(fields(made.delayed)).toMatchObject({ status: 'pending', pendingKind: 'async-payment' });
  });
});

describe('outstanding credits of a legacy ledger', () => {
  it('counts a legacy balance not yet migrated, and the same once it is', async () => {
    // Written before the range: none of it was sold or spent in it, but what it holds is outstanding.
    const owner = await writeLegacyLedger(
      shop.admin,
      'legacy@example.com',
      [
        { amount: 10, reason: 'Bought 10 credits', ref: 'grant:cs_legacy', sessionId: 'cs_legacy' },
        { amount: -3, reason: 'Haiku about "then"' },
      ],
      Date.now() - 20 * 86_400_000,
    );
    // Its owner takes `seq` off the newest entry (Instant asks no rule for a client's retract of an
    // optional field): the highest `seq` left says 10, what the entries add up to is still 7.
    const s = await rawSession(shop.instant, { refreshToken: owner.token });
    try {
      const newest = (await shop.admin.query({ ledgerEntries: { $: { where: { userId: owner.id, seq: 2 } } } }))
        .ledgerEntries[0];
      expect(await s.transact([['retract-triple', newest.id, s.attr('ledgerEntries', 'seq'), 2]])).toMatchObject({
        op: 'transact-ok',
      });
    } finally {
      s.close();
    }
    const credits = { sold: 10, spent: 2, clawedBack: 0, outstanding: 8 + 7 };
    expect((await sevenDays()).credits).toEqual(credits);
    expect(await migrateLegacyLedgers()).toMatchObject({ opened: 1 });
    expect((await sevenDays()).credits).toEqual(credits);
  });
});
