// npm run bench:chaos [-- --seed N --guests N --packs N --spends N] — guest purchases, credit
// packs, spends, refunds and disputes with faults on in every stand-in (Stripe API and webhooks,
// Instant admin writes, the mailbox) at the rates below; then faults off, webhooks released and
// reconcile run. Prints faults injected by kind, deliveries and retries, time to converge, and
// the exactness figures; writes JSON under bench/results/.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { balanceOf } from '../api/_lib/credits/ledger.ts';
import { reconcile } from '../api/_lib/ops/reconcile.ts';
import { createStripe } from '../api/_lib/platform/stripe-client.ts';
import { clientFor, nextResult } from '../tests/support/instant-clients.ts';
import { startShopStack, type ShopStack } from '../tests/support/shop-stack.ts';
import schema from '../instant.schema.ts';
import { exitOnMissedTargets, machine, printTable, type Row } from './support/report.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    guests: { type: 'string', default: '20' },
    packs: { type: 'string', default: '10' },
    spends: { type: 'string', default: '20' },
  },
});
const seed = Number(values.seed);
const GUESTS = Number(values.guests);
const PACKS = Number(values.packs);
const SPENDS = Number(values.spends);
const PACK_CREDITS = 10; // credits-small

/** The rates this run injects, per stand-in (see each README's "Faults"). */
const FAULTS = {
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
      { path: '/admin/transact', rates: { lost_answer: 0.05, refuse: 0.03, slow: 0.02 } },
      { path: 'ws:', rates: { drop_socket: 0.3 } },
    ],
  },
  mailbox: { seed, hang_ms: 2000, rules: [{ path: '/emails', rates: { fail: 0.1, hang: 0.1 } }] },
};

async function setFaults(shop: ShopStack, on: boolean) {
  const instantHeaders = {
    'content-type': 'application/json',
    authorization: `Bearer ${shop.instant.adminToken}`,
    'app-id': shop.instant.appId,
  };
  const results = await Promise.all([
    shop.local('faults', on ? FAULTS.stripe : {}),
    fetch(`${shop.instant.url}/_local/faults`, {
      method: 'POST',
      headers: instantHeaders,
      body: JSON.stringify(on ? FAULTS.instant : {}),
    }),
    fetch(`${shop.mailbox.url}/_local/faults`, { method: 'POST', body: JSON.stringify(on ? FAULTS.mailbox : {}) }),
  ]);
  for (const r of results) if (!r.ok) throw new Error(`fault control refused: ${r.status} ${await r.text()}`);
}

async function injected(shop: ShopStack): Promise<Record<string, number>> {
  const instantHeaders = { authorization: `Bearer ${shop.instant.adminToken}`, 'app-id': shop.instant.appId };
  const [s, i, m] = await Promise.all([
    fetch(`${shop.stripeLocal.url}/_local/faults`).then((r) => r.json() as Promise<any>),
    fetch(`${shop.instant.url}/_local/faults`, { headers: instantHeaders }).then((r) => r.json() as Promise<any>),
    fetch(`${shop.mailbox.url}/_local/faults`).then((r) => r.json() as Promise<any>),
  ]);
  const out: Record<string, number> = {};
  const add = (prefix: string, counts: Record<string, number>) =>
    Object.entries(counts).forEach(([k, v]) => (out[`${prefix} ${k}`] = v));
  add('stripe api', s.api.injected);
  add('stripe webhook', s.webhooks.injected);
  add('instant', i.injected);
  add('mailbox', m.injected);
  return out;
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

// Stripe API 3, webhooks 2, Instant 4, mailbox 2.
const KINDS = 11;
const WATCHED = 3; // guests whose page waits for the live unlock over a WebSocket

const sessionOf = async (r: Response) => new URL(((await r.json()) as { url: string }).url).pathname.split('/').pop()!;

export async function run(): Promise<Row[]> {
  process.env.STRIPE_TIMEOUT_MS = '1000';
  process.env.RESEND_TIMEOUT_MS = '500';
  process.env.RATE_LIMIT_SCALE = '1000';
  const shop = await startShopStack({ webhookAttempts: 8 });
  const since = new Date(Date.now() - 60_000);
  let buyerRetries = 0;
  try {
    const users = await Promise.all(
      Array.from({ length: PACKS }, async () => {
        const email = `chaos-${randomUUID().slice(0, 8)}@example.com`;
        const token = await shop.admin.auth.createToken(email);
        return { id: (await shop.admin.auth.verifyToken(token)).id, token, email };
      }),
    );
    const tokens = Array.from({ length: GUESTS }, () => randomUUID());
    await setFaults(shop, true);
    const t0 = performance.now();
    // The last guests (never refunded or disputed) watch for their unlock as the page does.
    const watchers = tokens.slice(-WATCHED).map((token) => {
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
      Array.from({ length: GUESTS }, async (_, n) => {
        const token = tokens[n];
        const { value: sessionId, retries } = await persist(
          () => shop.post('/api/checkout', { token, productId: 'wallpapers-warm' }),
          sessionOf,
        );
        buyerRetries += retries;
        await shop.pay(sessionId, { email: `chaos-guest-${n}-${seed}@example.com`, card: '4242424242424242' });
        return { sessionId, email: `chaos-guest-${n}-${seed}@example.com` };
      }),
    );
    const packs = await Promise.all(
      users.map(async (u) => {
        const { value: sessionId, retries } = await persist(
          () => shop.post('/api/credits/checkout', { packId: 'credits-small' }, { authorization: `Bearer ${u.token}` }),
          sessionOf,
        );
        buyerRetries += retries;
        await shop.pay(sessionId, { email: u.email, card: '4242424242424242' });
        return { user: u, sessionId };
      }),
    );
    // Every live socket dropped at once, as when a network path fails.
    const instantHeaders = {
      'content-type': 'application/json',
      authorization: `Bearer ${shop.instant.adminToken}`,
      'app-id': shop.instant.appId,
    };
    const dropped = (
      (await (
        await fetch(`${shop.instant.url}/_local/faults/drop-sockets`, {
          method: 'POST',
          headers: instantHeaders,
          body: '{}',
        })
      ).json()) as {
        dropped: number;
      }
    ).dropped;
    await shop.local('webhooks/release', { order: 'shuffle' });
    await shop.stripeLocal.whenDeliveriesIdle();

    // Phase 2: spends (each user a share), refunds and disputes of some guest purchases.
    const spendsOk = new Map<string, number>();
    await Promise.all(
      Array.from({ length: SPENDS }, async (_, n) => {
        const u = users[n % users.length];
        const res = await shop.post('/api/generate', { topic: `chaos ${n}` }, { authorization: `Bearer ${u.token}` });
        if (res.ok) spendsOk.set(u.id, (spendsOk.get(u.id) ?? 0) + 1);
      }),
    );
    // The operator's own calls go through the app's client (timeout, retries, 429 handling).
    const stripe = createStripe(process.env);
    const refunded = guests.slice(0, Math.floor(GUESTS / 5));
    const disputed = guests.slice(Math.floor(GUESTS / 5), Math.floor((2 * GUESTS) / 5));
    for (const g of refunded) {
      const s = await stripe.checkout.sessions.retrieve(g.sessionId, {}, { maxNetworkRetries: 5 });
      await stripe.refunds.create(
        { payment_intent: s.payment_intent as string },
        { idempotencyKey: `chaos-refund/${g.sessionId}`, maxNetworkRetries: 5 },
      );
    }
    for (const g of disputed) {
      const s = await stripe.checkout.sessions.retrieve(
        g.sessionId,
        { expand: ['payment_intent'] },
        { maxNetworkRetries: 5 },
      );
      await shop.local(`charges/${(s.payment_intent as { latest_charge: string }).latest_charge}/dispute`);
    }
    await shop.stripeLocal.whenDeliveriesIdle();
    const faults = await injected(shop);
    const tFaulty = performance.now() - t0;

    // Phase 3: faults off, everything delivered, reconcile; converged when it finds nothing more.
    await setFaults(shop, false);
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
    const allSessions = [...guests.map((g) => g.sessionId), ...packs.map((p) => p.sessionId)];
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId: { $in: allSessions } } } } });
    const { receipts } = await shop.admin.query({ receipts: { $: { where: { sessionId: { $in: allSessions } } } } });
    const status = new Map(purchases.map((p) => [p.sessionId, p.status]));
    const expectStatus = (id: string) =>
      refunded.some((g) => g.sessionId === id)
        ? 'refunded'
        : disputed.some((g) => g.sessionId === id)
          ? 'disputed'
          : 'paid';
    const statusRight = allSessions.filter((id) => status.get(id) === expectStatus(id)).length;
    const stuck = purchases.filter((p) => p.status === 'pending').length;
    const mailsPer = [...guests.map((g) => g.email), ...users.map((u) => u.email)].map(
      (e) => shop.mailbox.messages({ to: e }).filter((m) => m.subject.startsWith('Your receipt')).length,
    );
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
      if (chain && grants === 1 && balance === PACK_CREDITS - spends) ledgersRight++;
    }
    const okSpends = [...spendsOk.values()].reduce((a, b) => a + b, 0);
    const deliveries = shop.stripeLocal.deliveries();
    const row = (metric: string, value: number | string, target?: string, ok?: boolean): Row => ({
      metric,
      value: String(value),
      target,
      ok,
    });
    return [
      ...Object.entries(faults).map(([k, v]) => row(`faults injected: ${k}`, v)),
      row(
        'fault kinds injected',
        `${Object.values(faults).filter((v) => v > 0).length} / ${KINDS}`,
        '= all',
        Object.values(faults).filter((v) => v > 0).length === KINDS,
      ),
      row('sockets dropped by the control (on top of drop_socket)', dropped),
      row('buyer retries after a 5xx', buyerRetries),
      row('webhook deliveries (attempts)', deliveries.length),
      row('webhook retries', deliveries.filter((d) => d.attempt > 1).length),
      row('time with faults on', `${(tFaulty / 1000).toFixed(1)} s`),
      row('time to converge (faults off → reconciled)', `${(converge / 1000).toFixed(1)} s`),
      row('reconcile repairs / receipts re-sent', `${first.repaired.length} / ${first.receiptsResent.length}`),
      row(
        'second reconcile finds',
        second.repaired.length + second.receiptsResent.length,
        '= 0',
        second.repaired.length + second.receiptsResent.length === 0,
      ),
      row(
        'purchases in the expected state',
        `${statusRight} / ${allSessions.length}`,
        '= all',
        statusRight === allSessions.length,
      ),
      row('purchases stuck pending', stuck, '= 0', stuck === 0),
      row(
        'receipts sent (one each)',
        `${mailsPer.filter((n) => n === 1).length} / ${mailsPer.length}`,
        '= all',
        mailsPer.every((n) => n === 1),
      ),
      row(
        'receipts sent twice',
        mailsPer.filter((n) => n > 1).length,
        '= 0',
        mailsPer.every((n) => n <= 1),
      ),
      row(
        'receipt records sent',
        `${receipts.filter((r) => r.status === 'sent').length} / ${allSessions.length}`,
        '= all',
        receipts.filter((r) => r.status === 'sent').length === allSessions.length,
      ),
      row(
        'ledgers = own history (one grant, amounts add up to the lots, never below zero)',
        `${ledgersRight} / ${users.length}`,
        '= all',
        ledgersRight === users.length,
      ),
      row(
        'live unlocks seen over dropped sockets',
        seen < 0 ? 'timed out' : `${seen} / ${WATCHED}`,
        '= all',
        seen === WATCHED,
      ),
      row('spends applied / answered ok', `${spendsApplied} / ${okSpends}`, 'equal', spendsApplied === okSpends),
    ];
  } finally {
    await shop.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  printTable(`bench:chaos (seed ${seed}; ${GUESTS} guests, ${PACKS} packs, ${SPENDS} spends)`, rows);
  const m = machine();
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/chaos-${new Date().toISOString().replace(/[:.]/g, '-')}-${m.rev}.json`;
  writeFileSync(
    file,
    JSON.stringify({ machine: m, at: new Date().toISOString(), seed, faults: FAULTS, rows }, null, 2),
  );
  console.log(`\nwritten to ${file}`);
  exitOnMissedTargets(rows);
  // The Instant client SDK keeps timers after shutdown; nothing else is left to wait for.
  process.exit();
}
