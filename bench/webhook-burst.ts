// npm run bench:webhooks — a burst like a sale, or Stripe redelivering after an outage: distinct
// paid sessions whose webhooks were held, then delivered with every event sent three times, 50
// deliveries in flight. Two variants: duplicates resent while the first copies are in flight,
// and duplicates arriving after the first copies were answered (which take the applied-event
// path). Prints deliveries per second, handler latency, the Stripe and Instant calls each
// delivery cost (counted at the stand-ins), and checks that exactly one purchase and one receipt
// exist per session. The webhook function is served as on Vercel. An unmeasured burst of the same
// shape warms every process up first.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type Stripe from 'stripe';
import { cpuBetween, markWindow, readCpu } from './support/process-cpu.ts';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { instantRequestCounts, sessionIdOf, startBenchStack, type BenchStack } from './support/stack.ts';

type Counts = Record<string, number>;
type Calls = { stripe: number; instantReads: number; instantWrites: number; instantOther: number };

export async function run(sessions = 1000): Promise<Row[]> {
  const stack = await startBenchStack({ webhookConcurrency: 50, webhooksToPlainApi: true });
  try {
    // Not measured: a burst of the same shape and size first, so the handlers' and stand-ins' code
    // runs optimized, as on a warm deployment (measured cold, the first variant pays V8's start-up).
    const warm = await paidSessions(stack, sessions, 'warm');
    await stack.local('webhooks/release');
    await Promise.all(warm.events.map((e) => stack.local(`events/${e.id}/resend`, { copies: 2 })));
    await stack.stripe!.whenDeliveriesIdle();

    // Variant 1: duplicates sent while the first copies are still being delivered.
    const inFlight = await paidSessions(stack, sessions, 'burst');
    const a = await measure(stack, async () => {
      await stack.local('webhooks/release');
      await Promise.all(inFlight.events.map((e) => stack.local(`events/${e.id}/resend`, { copies: 2 })));
    });

    // Variant 2: every first copy answered, then two duplicates of each.
    const answered = await paidSessions(stack, sessions, 'late');
    const first = await measure(stack, () => stack.local('webhooks/release'));
    const dups = await measure(stack, () =>
      Promise.all(answered.events.map((e) => stack.local(`events/${e.id}/resend`, { copies: 2 }))),
    );

    const exact = [await exactness(stack, inFlight.ids), await exactness(stack, answered.ids)];
    const burst = `${sessions} sessions, every event 3×, 50 in flight`;
    const wholeRate = (first.deliveries + dups.deliveries) / (first.seconds + dups.seconds);
    const failed = a.failed + first.failed + dups.failed;
    return [
      { metric: `duplicates in flight (${burst}): deliveries`, value: String(a.deliveries) },
      { metric: 'duplicates in flight: deliveries/s', value: a.rate.toFixed(0), target: '>= 450', ok: a.rate >= 450 },
      { metric: 'duplicates in flight: handler p50 / p99', value: `${ms(a.p50)} / ${ms(a.p99)}` },
      { metric: 'duplicates in flight: calls per delivery (Stripe / Instant reads / writes)', value: perDelivery(a) },
      { metric: 'duplicates after answers: first copies, deliveries/s', value: first.rate.toFixed(0) },
      {
        metric: 'duplicates after answers: first copies, handler p50 / p99',
        value: `${ms(first.p50)} / ${ms(first.p99)}`,
      },
      {
        metric: 'first delivery: calls (Stripe / Instant reads / writes)',
        value: perDelivery(first),
        target: 'fewer than 2 / 1 / 4 (before), none more',
        ok: fewerCalls(callsPer(first)),
      },
      { metric: 'duplicates after answers: duplicates, deliveries/s', value: dups.rate.toFixed(0) },
      { metric: 'duplicates after answers: duplicates, handler p50 / p99', value: `${ms(dups.p50)} / ${ms(dups.p99)}` },
      {
        metric: 'duplicates after answers: whole burst, deliveries/s',
        value: wholeRate.toFixed(0),
        target: '>= 450',
        ok: wholeRate >= 450,
      },
      {
        metric: 'duplicate delivery: calls (Stripe / Instant reads / writes)',
        value: perDelivery(dups),
        target: '0 / 1 / 1',
        ok: sameCalls(callsPer(dups), { stripe: 0, reads: 1, writes: 1 }),
      },
      ...cpuRows('duplicates in flight', a),
      ...cpuRows('duplicates after answers: first copies', first),
      ...cpuRows('duplicates after answers: duplicates', dups),
      ...wholeBurstCeiling(first, dups),
      { metric: 'failed deliveries (retried)', value: String(failed), target: '= 0', ok: failed === 0 },
      ...failureRows([...a.failures, ...first.failures, ...dups.failures]),
      ...exact.map((e, i) => ({
        metric: `${i ? 'after answers' : 'in flight'}: purchases paid / receipts recorded / sent, of ${sessions}`,
        value: `${e.paid} / ${e.receipts} / ${e.mails}`,
        target: `= ${sessions}`,
        ok: e.paid === sessions && e.receipts === sessions && e.mails === sessions,
      })),
    ];
  } finally {
    await stack.close();
  }
}

/** Sessions made and paid 25 at a time (setup, not measured) with webhooks held; their completed events. */
async function paidSessions(stack: BenchStack, n: number, label: string) {
  await stack.local('webhooks/hold');
  const ids: string[] = [];
  // All from this one client: the bench stack scales the per-client limits (RATE_LIMIT_SCALE).
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
        const res = await stack.post('/api/checkout', { token: randomUUID(), productId: 'wallpapers-warm' });
        const id = sessionIdOf((await res.json()).url);
        await stack.local(`checkout_sessions/${id}/pay`, {
          email: `${label}-${i + j}@example.com`,
          card: '4242424242424242',
        });
        return id;
      }),
    );
    ids.push(...batch);
  }
  const wanted = new Set(ids);
  const events: Stripe.Event[] = [];
  // Newest first: this batch's events come before any earlier batch's.
  for await (const e of stack.stripeSdk.events.list({ type: 'checkout.session.completed', limit: 100 })) {
    if (wanted.has((e.data.object as { id: string }).id)) events.push(e);
    if (events.length === ids.length) break;
  }
  return { ids, events };
}

async function measure(stack: BenchStack, send: () => Promise<unknown>) {
  const held = stack.stripe!.deliveries().length;
  const before = await callCounts(stack);
  const cpu0 = readCpu();
  const t0 = performance.now();
  await markWindow(async () => {
    await send();
    await stack.stripe!.whenDeliveriesIdle();
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuBetween(cpu0, readCpu());
  const calls = diff(await callCounts(stack), before);
  const attempts = stack.stripe!.deliveries().slice(held);
  // Only the shop's endpoint's answers to checkout events (the stand-in also sends charge and
  // payment-intent events, which the shop acknowledges without work).
  const checkout = attempts.filter((a) => a.event_type === 'checkout.session.completed');
  const ok = checkout.filter((a) => a.status === 'succeeded');
  const lat = summarize(ok.map((a) => a.duration_ms));
  return {
    deliveries: attempts.length,
    checkout: checkout.length,
    rate: attempts.length / seconds,
    seconds,
    failed: attempts.length - attempts.filter((a) => a.status === 'succeeded').length,
    failures: attempts.filter((a) => a.status !== 'succeeded').map((a) => a.error ?? `HTTP ${a.response_status}`),
    calls,
    cpu,
    ...lat,
  };
}

/**
 * The rate the measured CPU allows on this machine's cores, whatever else runs on it: every
 * process's CPU spread over the cores, and no process past one core (null where /proc is missing).
 */
function ceilingOf(m: { cpu: ReturnType<typeof cpuBetween>; deliveries: number }): number | null {
  const total = Object.values(m.cpu.byRole).reduce((n, v) => n + v, 0);
  if (!total) return null;
  return m.deliveries * Math.min((cpus().length * 1000) / total, 1000 / m.cpu.busiest);
}

/** CPU per delivery summed over every process and by process role, and the rate it allows. */
function cpuRows(variant: string, m: { cpu: ReturnType<typeof cpuBetween>; deliveries: number }): Row[] {
  const roles = Object.entries(m.cpu.byRole).filter(([role, v]) => role !== 'other' || v / m.deliveries >= 0.05);
  const ceiling = ceilingOf(m);
  if (ceiling === null) return [];
  const per = (v: number) => (v / m.deliveries).toFixed(1);
  const total = roles.reduce((n, [, v]) => n + v, 0);
  return [
    {
      metric: `${variant}: CPU per delivery, all processes (${roles.map(([r]) => r).join(' / ')})`,
      value: `${per(total)} ms (${roles.map(([, v]) => per(v)).join(' / ')})`,
    },
    { metric: `${variant}: deliveries/s that CPU allows on ${cpus().length} cores`, value: ceiling.toFixed(0) },
  ];
}

function wholeBurstCeiling(...parts: Parameters<typeof ceilingOf>[0][]): Row[] {
  const ceilings = parts.map(ceilingOf);
  if (ceilings.some((c) => c === null)) return [];
  const deliveries = parts.reduce((n, p) => n + p.deliveries, 0);
  const seconds = parts.reduce((n, p, i) => n + p.deliveries / ceilings[i]!, 0);
  return [
    {
      metric: `duplicates after answers: whole burst, deliveries/s that CPU allows on ${cpus().length} cores`,
      value: (deliveries / seconds).toFixed(0),
    },
  ];
}

/** Why deliveries failed, most common first: the bench's own bug or the stack's limit. */
function failureRows(reasons: string[]): Row[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([reason, n]) => ({ metric: `failed: ${reason.slice(0, 80)}`, value: String(n) }));
}

async function callCounts(stack: BenchStack): Promise<{ stripe: Counts; instant: Counts }> {
  return { stripe: stack.stripe!.apiRequestCounts(), instant: await instantRequestCounts(stack.instant) };
}

function diff(after: { stripe: Counts; instant: Counts }, before: { stripe: Counts; instant: Counts }): Calls {
  const sum = (a: Counts, b: Counts, keep: (k: string) => boolean) =>
    Object.keys(a)
      .filter(keep)
      .reduce((n, k) => n + a[k] - (b[k] ?? 0), 0);
  const reads = (k: string) => k === 'POST /admin/query';
  const writes = (k: string) => k === 'POST /admin/transact';
  return {
    stripe: sum(after.stripe, before.stripe, () => true),
    instantReads: sum(after.instant, before.instant, reads),
    instantWrites: sum(after.instant, before.instant, writes),
    instantOther: sum(
      after.instant,
      before.instant,
      (k) => !reads(k) && !writes(k) && k !== 'GET /_local/request-counts',
    ),
  };
}

/**
 * Calls per checkout-event delivery. The payment's other events (charge, payment intent), which
 * the shop acknowledges unhandled, cost one webhook-log write each and nothing else: left out.
 */
function callsPer(m: { calls: Calls; checkout: number; deliveries: number }) {
  const per = (n: number) => Math.round((n / m.checkout) * 100) / 100;
  const writes = m.calls.instantWrites - (m.deliveries - m.checkout);
  return {
    stripe: per(m.calls.stripe),
    reads: per(m.calls.instantReads),
    writes: per(writes),
    other: per(m.calls.instantOther),
  };
}

type PerDelivery = { stripe: number; reads: number; writes: number };
const sameCalls = (c: PerDelivery, want: PerDelivery) =>
  c.stripe === want.stripe && c.reads === want.reads && c.writes === want.writes;
/** Before this design a first delivery cost 2 Stripe reads, 1 Instant read and 4 writes. */
const fewerCalls = (c: PerDelivery) =>
  c.stripe <= 2 && c.reads <= 1 && c.writes <= 4 && c.stripe + c.reads + c.writes < 7;

function perDelivery(m: Parameters<typeof callsPer>[0]) {
  const c = callsPer(m);
  return `${c.stripe} / ${c.reads} / ${c.writes}${c.other ? ` (+${c.other} other)` : ''}`;
}

async function exactness(stack: BenchStack, ids: string[]) {
  const { purchases } = await stack.admin({ purchases: { $: { where: { sessionId: { $in: ids } } } } });
  const { receipts } = await stack.admin({ receipts: { $: { where: { sessionId: { $in: ids } } } } });
  const mine = new Set(ids);
  const paid = purchases.filter((p: { status: string }) => p.status === 'paid').length;
  const mails = stack
    .mailbox!.messages()
    .filter(
      (m) => m.subject.startsWith('Your receipt') && mine.has(/Reference: (\S+)/.exec(m.text ?? '')?.[1] ?? ''),
    ).length;
  return { paid, receipts: receipts.length, mails };
}

if (import.meta.url === `file://${process.argv[1]}`)
  printTable('bench:webhooks', await run(Number(process.env.BENCH_SESSIONS ?? 1000)));
