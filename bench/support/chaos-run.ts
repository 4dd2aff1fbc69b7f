// The chaos scenario behind `npm run bench:chaos` (and tests/faults/same-seed.test.ts): guest
// purchases, credit packs, plans, spends, refunds and disputes with faults on in every stand-in
// at the rates below; then faults off, webhooks released and reconcile run. Every input (tokens,
// emails, request ids) and every stand-in id comes from the seed, so one seed injects the same
// faults into the same requests and gives the same exactness figures; timings vary.
import { performance } from 'node:perf_hooks';
import { balanceOf } from '../../api/_lib/credits/ledger.ts';
import { reconcile } from '../../api/_lib/ops/reconcile.ts';
import { createStripe } from '../../api/_lib/platform/stripe-client.ts';
import schema from '../../instant.schema.ts';
import { seededUuid } from '../../local/faults/fault-plan.ts';
import { INSTANT_FAULTS } from '../../local/instant/faults.ts';
import { MAIL_FAULTS } from '../../local/mailbox/resend-api.ts';
import { API_FAULTS, WEBHOOK_FAULTS } from '../../local/stripe/faults.ts';
import { clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { startShopStack, type ShopStack } from '../../tests/support/shop-stack.ts';
import type { Row } from './report.ts';

export type ChaosOptions = {
  seed: string;
  guests: number;
  /** Signed-in users; each buys a credit pack. */
  packs: number;
  /** The first `plans` users also buy a plan. */
  plans: number;
  spends: number;
  /** Guests whose page waits for the live unlock over a WebSocket. */
  watched: number;
};

export type ChaosResult = {
  rows: Row[];
  /** Faults injected, counted by `<stand-in> <kind>`. */
  injected: Record<string, number>;
  /** Every fault injected, as `<stand-in> <kind> <request identity> #<attempt>`, sorted. */
  faults: string[];
  /** The exactness figures (rows with a target), by metric. */
  figures: Record<string, string>;
};

const PACK = { id: 'credits-small', credits: 10 };
const PLAN = 'plan-medium';
const CARD = '4242424242424242';
const KINDS = API_FAULTS.length + WEBHOOK_FAULTS.length + INSTANT_FAULTS.length + MAIL_FAULTS.length;

/** The rates a run injects, per stand-in (see each README's "Faults"). */
export function chaosFaults(seed: string) {
  return {
    stripe: {
      api: {
        seed,
        hang_ms: 3000,
        rules: [{ path: '/v1/', rates: { error_500: 0.03, rate_limit_429: 0.03, hang: 0.01 } }],
      },
      webhooks: { seed, rules: [{ path: '*', rates: { fail: 0.1, timeout: 0.05 } }] },
    },
    instant: {
      seed,
      hang_ms: 300,
      rules: [
        // Rate-limit slots are named by the clock's window, so they differ each run: not faulted.
        { path: '/admin/transact', match: '"rateSlots"', rates: {} },
        { path: '/admin/transact', rates: { lost_answer: 0.05, refuse: 0.03, slow: 0.02 } },
        { path: 'ws:', rates: { drop_socket: 0.3 } },
      ],
    },
    mailbox: { seed, hang_ms: 2000, rules: [{ path: '/emails', rates: { fail: 0.1, hang: 0.1 } }] },
  };
}

/** A UUID v4 from (seed, name): the bench's tokens and request ids, the same every run of a seed. */
const seededV4 = (seed: string, name: string) => seededUuid(`bench ${seed}`, name, 4);

function instantHeaders(shop: ShopStack): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${shop.instant.adminToken}`,
    'app-id': shop.instant.appId,
  };
}

async function setFaults(shop: ShopStack, seed: string, on: boolean) {
  const f = chaosFaults(seed);
  const results = await Promise.all([
    shop.local('faults', on ? f.stripe : {}),
    fetch(`${shop.instant.url}/_local/faults`, {
      method: 'POST',
      headers: instantHeaders(shop),
      body: JSON.stringify(on ? f.instant : {}),
    }),
    fetch(`${shop.mailbox.url}/_local/faults`, { method: 'POST', body: JSON.stringify(on ? f.mailbox : {}) }),
  ]);
  for (const r of results) if (!r.ok) throw new Error(`fault control refused: ${r.status} ${await r.text()}`);
}

type Snapshot = { injected: Record<string, number>; faults: { kind: string; identity: string; attempt: number }[] };

async function injectedFaults(shop: ShopStack): Promise<Pick<ChaosResult, 'injected' | 'faults'>> {
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, { headers }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const [s, i, m] = await Promise.all([
    get(`${shop.stripeLocal.url}/_local/faults`),
    get(`${shop.instant.url}/_local/faults`, instantHeaders(shop)),
    get(`${shop.mailbox.url}/_local/faults`),
  ]);
  const injected: Record<string, number> = {};
  const faults: string[] = [];
  const add = (source: string, snap: Snapshot) => {
    for (const [k, v] of Object.entries(snap.injected)) injected[`${source} ${k}`] = v;
    for (const f of snap.faults) faults.push(`${source} ${f.kind} ${f.identity} #${f.attempt}`);
  };
  add('stripe api', s.api as Snapshot);
  add('stripe webhook', s.webhooks as Snapshot);
  add('instant', i as unknown as Snapshot);
  add('mailbox', m as unknown as Snapshot);
  return { injected, faults: faults.sort() };
}

/** A buyer retries what the shop answered with a 5xx, as a browser's user would. */
async function persist<T>(
  what: () => Promise<Response>,
  read: (r: Response) => Promise<T>,
  tries = 8,
): Promise<{ value: T; retries: number }> {
  for (let n = 0; ; n++) {
    const res = await what();
    if (res.ok) return { value: await read(res), retries: n };
    if (res.status < 500 || n + 1 >= tries) throw new Error(`gave up: ${res.status} ${await res.text()}`);
  }
}

const sessionOf = async (r: Response) => new URL(((await r.json()) as { url: string }).url).pathname.split('/').pop()!;

const row = (metric: string, value: number | string, target?: string, ok?: boolean): Row => ({
  metric,
  value: String(value),
  target,
  ok,
});

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  process.env.STRIPE_TIMEOUT_MS = '1000';
  process.env.RESEND_TIMEOUT_MS = '500';
  process.env.RATE_LIMIT_SCALE = '1000';
  const shop = await startShopStack({ webhookAttempts: 8, seed: o.seed });
  const since = new Date(Date.now() - 60_000);
  let buyerRetries = 0;
  const bought = async (path: string, body: unknown, headers: Record<string, string> | undefined, email: string) => {
    const { value: sessionId, retries } = await persist(() => shop.post(path, body, headers), sessionOf);
    buyerRetries += retries;
    await shop.pay(sessionId, { email, card: CARD });
    return sessionId;
  };
  try {
    const users = await Promise.all(
      Array.from({ length: o.packs }, async (_, n) => {
        const email = `chaos-${o.seed}-user-${n}@example.com`;
        const token = await shop.admin.auth.createToken(email);
        return { id: (await shop.admin.auth.verifyToken(token)).id, token, email };
      }),
    );
    const auth = (u: (typeof users)[number]) => ({ authorization: `Bearer ${u.token}` });
    const tokens = Array.from({ length: o.guests }, (_, n) => seededV4(o.seed, `guest ${n}`));
    await setFaults(shop, o.seed, true);
    const t0 = performance.now();
    // The last guests (never refunded or disputed) watch for their unlock as the page does.
    const watchers = tokens.slice(-o.watched).map((token) => {
      const db = clientFor(shop.instant, schema);
      const q = { wallpapers: { $: { where: { slug: 'dune' } } } };
      const unlocked = nextResult(db, q, (r) => Boolean((r.data as any)?.wallpapers?.[0]?.fullResUrl), {
        ruleParams: { tokens: [token] },
      });
      return { db, unlocked };
    });

    // Phase 1: checkouts and payments, with webhooks held for part of it (late, reordered).
    await shop.local('webhooks/hold');
    const guests = await Promise.all(
      tokens.map(async (token, n) => {
        const email = `chaos-${o.seed}-guest-${n}@example.com`;
        return { sessionId: await bought('/api/checkout', { token, productId: 'wallpapers-warm' }, {}, email), email };
      }),
    );
    const packs = await Promise.all(
      users.map(async (u) => ({
        user: u,
        sessionId: await bought('/api/credits/checkout', { packId: PACK.id }, auth(u), u.email),
      })),
    );
    const plans = await Promise.all(
      users.slice(0, o.plans).map(async (u) => ({
        user: u,
        sessionId: await bought('/api/plans/checkout', { planId: PLAN }, auth(u), u.email),
      })),
    );
    // Every live socket dropped at once, as when a network path fails.
    const dropRes = await fetch(`${shop.instant.url}/_local/faults/drop-sockets`, {
      method: 'POST',
      headers: instantHeaders(shop),
      body: '{}',
    });
    const { dropped } = (await dropRes.json()) as { dropped: number };
    await shop.local('webhooks/release', { order: 'shuffle' });
    await shop.stripeLocal.whenDeliveriesIdle();

    // Phase 2: spends (each user a share, retried under one request id), refunds and disputes
    // of some guest purchases and plans.
    const spendsOk = new Map<string, number>();
    await Promise.all(
      Array.from({ length: o.spends }, async (_, n) => {
        const u = users[n % users.length];
        const body = { topic: `chaos ${n}`, requestId: seededV4(o.seed, `spend ${n}`) };
        const res = await persist(
          () => shop.post('/api/generate', body, auth(u)),
          async (r) => r.ok,
        ).catch(() => null);
        if (res) spendsOk.set(u.id, (spendsOk.get(u.id) ?? 0) + 1);
      }),
    );
    // The operator's own calls go through the app's client (timeout, retries, 429 handling).
    const stripe = createStripe(process.env);
    const fifth = Math.floor(o.guests / 5);
    const refunded = [...guests.slice(0, fifth), ...plans.slice(0, 1)].map((g) => g.sessionId);
    const disputed = [...guests.slice(fifth, 2 * fifth), ...plans.slice(1, 2)].map((g) => g.sessionId);
    for (const sessionId of refunded) {
      const s = await stripe.checkout.sessions.retrieve(sessionId, {}, { maxNetworkRetries: 5 });
      await stripe.refunds.create(
        { payment_intent: s.payment_intent as string },
        { idempotencyKey: `chaos-refund/${sessionId}`, maxNetworkRetries: 5 },
      );
    }
    for (const sessionId of disputed) {
      const s = await stripe.checkout.sessions.retrieve(
        sessionId,
        { expand: ['payment_intent'] },
        { maxNetworkRetries: 5 },
      );
      await shop.local(`charges/${(s.payment_intent as { latest_charge: string }).latest_charge}/dispute`);
    }
    await shop.stripeLocal.whenDeliveriesIdle();
    const { injected, faults } = await injectedFaults(shop);
    const tFaulty = performance.now() - t0;

    // Phase 3: faults off, everything delivered, reconcile; converged when it finds nothing more.
    await setFaults(shop, o.seed, false);
    const t1 = performance.now();
    await shop.stripeLocal.whenDeliveriesIdle();
    const first = await reconcile({ since, by: 'bench:chaos' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const second = await reconcile({ since, by: 'bench:chaos:check' });
    const converge = performance.now() - t1;
    const seen = await Promise.race([
      Promise.all(watchers.map((w) => w.unlocked)).then((r) => r.length),
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 60_000).unref()),
    ]);
    watchers.forEach((w) => w.db.shutdown());

    // Exactness.
    const allSessions = [...guests, ...packs, ...plans].map((g) => g.sessionId);
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId: { $in: allSessions } } } } });
    const { receipts } = await shop.admin.query({ receipts: { $: { where: { sessionId: { $in: allSessions } } } } });
    const status = new Map(purchases.map((p) => [p.sessionId, p.status]));
    const expectStatus = (id: string) =>
      refunded.includes(id) ? 'refunded' : disputed.includes(id) ? 'disputed' : 'paid';
    const statusRight = allSessions.filter((id) => status.get(id) === expectStatus(id)).length;
    const stuck = purchases.filter((p) => p.status === 'pending').length;
    // A receipt per purchase: a user's pack and plan receipts go to the same address.
    const receiptsTo = (e: string) =>
      shop.mailbox.messages({ to: e }).filter((m) => m.subject.startsWith('Your receipt')).length;
    const mailsPer = [
      ...guests.map((g) => receiptsTo(g.email) === 1),
      ...users.map((u, n) => receiptsTo(u.email) === (n < o.plans ? 2 : 1)),
    ];
    const twice =
      guests.filter((g) => receiptsTo(g.email) > 1).length +
      users.filter((u, n) => receiptsTo(u.email) > (n < o.plans ? 2 : 1)).length;
    // Plans: the plan bought unless its purchase was refunded or disputed.
    const { $users } = await shop.admin.query({ $users: { $: { where: { id: { $in: users.map((u) => u.id) } } } } });
    const planOf = new Map($users.map((u) => [u.id, (u as { plan?: string | null }).plan ?? null]));
    const plansRight = users.filter((u, n) => {
      const p = plans[n];
      const expected = p && !refunded.includes(p.sessionId) && !disputed.includes(p.sessionId) ? PLAN : null;
      return planOf.get(u.id) === expected;
    }).length;
    let ledgersRight = 0;
    let spendsApplied = 0;
    for (const u of users) {
      const ledgerEntries = (
        await shop.admin.query({ ledgerEntries: { $: { where: { userId: u.id }, order: { createdAt: 'asc' } } } })
      ).ledgerEntries as unknown as { amount: number; ref: string }[];
      // The history's amounts add up to what the user's credit lots hold, never below zero.
      let balance = 0;
      let chain = true;
      ledgerEntries.forEach((e) => {
        balance += e.amount;
        chain &&= balance >= 0;
      });
      chain &&= (await balanceOf(u.id)) === balance;
      const grants = ledgerEntries.filter((e) => e.ref.startsWith('grant:')).length;
      const spends = ledgerEntries.filter((e) => e.amount < 0).length;
      spendsApplied += spends;
      if (chain && grants === 1 && balance === PACK.credits - spends && spends === (spendsOk.get(u.id) ?? 0))
        ledgersRight++;
    }
    const okSpends = [...spendsOk.values()].reduce((a, b) => a + b, 0);
    const deliveries = shop.stripeLocal.deliveries();
    const kindsHit = Object.values(injected).filter((v) => v > 0).length;
    const sentRecords = receipts.filter((r) => r.status === 'sent').length;
    /** A figure that must reach its whole: `got / of`, passing when they are equal. */
    const allOf = (metric: string, got: number, of: number) => row(metric, `${got} / ${of}`, '= all', got === of);
    const exact: Row[] = [
      allOf('purchases in the expected state', statusRight, allSessions.length),
      row('purchases stuck pending', stuck, '= 0', stuck === 0),
      row(
        'addresses with one receipt a purchase',
        `${mailsPer.filter(Boolean).length} / ${mailsPer.length}`,
        '= all',
        mailsPer.every(Boolean),
      ),
      row('receipts sent twice', twice, '= 0', twice === 0),
      allOf('receipt records sent', sentRecords, allSessions.length),
      allOf(
        'ledgers = own history (one grant, amounts add up to the lots, never below zero)',
        ledgersRight,
        users.length,
      ),
      allOf('plans = expected (bought, or reverted by refund/dispute)', plansRight, users.length),
      row(
        'live unlocks seen over dropped sockets',
        seen < 0 ? 'timed out' : `${seen} / ${o.watched}`,
        '= all',
        seen === o.watched,
      ),
      row('spends applied / answered ok', `${spendsApplied} / ${okSpends}`, 'equal', spendsApplied === okSpends),
      row(
        'second reconcile finds',
        second.repaired.length + second.receiptsResent.length,
        '= 0',
        second.repaired.length + second.receiptsResent.length === 0,
      ),
    ];
    const rows: Row[] = [
      ...Object.entries(injected)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => row(`faults injected: ${k}`, v)),
      row('fault kinds injected', `${kindsHit} / ${KINDS}`, '= all', kindsHit === KINDS),
      row('sockets dropped by the control (on top of drop_socket)', dropped),
      row('buyer retries after a 5xx', buyerRetries),
      row('webhook deliveries (attempts)', deliveries.length),
      row('webhook retries', deliveries.filter((d) => d.attempt > 1).length),
      row('time with faults on', `${(tFaulty / 1000).toFixed(1)} s`),
      row('time to converge (faults off → reconciled)', `${(converge / 1000).toFixed(1)} s`),
      row('reconcile repairs / receipts re-sent', `${first.repaired.length} / ${first.receiptsResent.length}`),
      ...exact,
    ];
    return { rows, injected, faults, figures: Object.fromEntries(exact.map((r) => [r.metric, r.value])) };
  } finally {
    await shop.close();
  }
}
