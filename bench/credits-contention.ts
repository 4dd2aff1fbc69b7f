// npm run bench:credits — 100 spends at once against a balance of 40, through the credits
// ledger (the code /api/generate runs, without its per-user rate limit): spends per second,
// latency, Instant calls per spend (counted at the stand-in), and the check that exactly 40
// succeed and the balance never goes below zero (no lot gave out more units than it holds).
// Then 100 users spending one credit each at once (no contention on any one ledger). Only the
// local Instant server runs beside it; a first unmeasured round of each warms the processes up.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { balanceOf, grant, spend } from '../api/_lib/credits/ledger.ts';
import { adminDb } from '../api/_lib/platform/instant-admin.ts';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { instantRequestCounts, startInstantStack, type InstantStack } from './support/stack.ts';

export async function run(spends = 100, balance = 40): Promise<Row[]> {
  // The ledger runs in this process: as deployed (compiled, no source-map support), not as tsx runs
  // it, where every stack an error captures (each collision's) is mapped back to TypeScript.
  process.setSourceMapsEnabled(false);
  const stack = await startInstantStack();
  try {
    const contended = async () => {
      const userId = await newUser();
      await grant(userId, balance, `bench-grant:${userId}`, 'bench');
      return {
        userId,
        m: await measure(
          stack,
          Array.from({ length: spends }, (_, n) => [userId, `${n}`]),
        ),
      };
    };
    await contended();
    await manyUsers(stack, spends);
    const { userId, m: one } = await contended();
    const { creditLots } = await adminDb().query({ creditLots: { $: { where: { userId } }, claims: {} } });
    const overdrawn = creditLots.reduce((n, lot) => n + Math.max(0, lot.claims.length - lot.size), 0);
    const many = await manyUsers(stack, spends);
    return [
      { metric: `concurrent spends vs balance ${balance}`, value: String(spends) },
      { metric: 'spends/s', value: one.rate },
      { metric: 'spend latency p50', value: ms(one.p50) },
      {
        metric: 'spend latency p99',
        value: ms(one.p99),
        target: '<= 300 ms (idle 2-core machine)',
        ok: one.p99 <= 300,
      },
      { metric: 'Instant reads / writes per spend', value: one.calls },
      { metric: 'successful spends', value: String(one.ok), target: `= ${balance}`, ok: one.ok === balance },
      {
        metric: 'final balance / units given out beyond a lot',
        value: `${await balanceOf(userId)} / ${overdrawn}`,
        target: '0 / 0',
        ok: overdrawn === 0,
      },
      { metric: `${spends} users spending at once: spends/s`, value: many.rate },
      { metric: `${spends} users spending at once: latency p50 / p99`, value: `${ms(many.p50)} / ${ms(many.p99)}` },
      { metric: `${spends} users spending at once: Instant reads / writes per spend`, value: many.calls },
      {
        metric: `${spends} users spending at once: successful / balances left`,
        value: `${many.ok} / ${many.left}`,
        target: `${spends} / 0`,
        ok: many.ok === spends && many.left === 0,
      },
    ];
  } finally {
    await stack.close();
  }
}

async function newUser(): Promise<string> {
  const db = adminDb();
  return (await db.auth.verifyToken(await db.auth.createToken({ email: `bench-${randomUUID()}@example.com` }))).id;
}

/** Instant's admin reads and writes so far, as the stand-in counted them. */
async function instantCalls(stack: InstantStack): Promise<{ reads: number; writes: number }> {
  const counts = await instantRequestCounts(stack.instant);
  return { reads: counts['POST /admin/query'] ?? 0, writes: counts['POST /admin/transact'] ?? 0 };
}

/** All `spends` ([user, request]) at once: rate, latency, successes and Instant calls per spend. */
async function measure(stack: InstantStack, spends: [string, string][]) {
  const lat: number[] = [];
  const before = await instantCalls(stack);
  const t0 = performance.now();
  const ok = await Promise.all(
    spends.map(async ([userId, n]) => {
      const s = performance.now();
      const r = await spend(userId, `bench-spend:${userId}:${n}`, 'bench spend');
      lat.push(performance.now() - s);
      return r.ok;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const after = await instantCalls(stack);
  const per = (n: number) => (n / spends.length).toFixed(2);
  return {
    ...summarize(lat),
    rate: (spends.length / seconds).toFixed(0),
    ok: ok.filter(Boolean).length,
    calls: `${per(after.reads - before.reads)} / ${per(after.writes - before.writes)}`,
  };
}

/** `users` users with one credit each, all spending it at once. */
async function manyUsers(stack: InstantStack, users: number) {
  const ids: string[] = [];
  for (let i = 0; i < users; i += 10) {
    // Setup, not measured: users and their grants, ten at a time.
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, users - i) }, async () => {
        const id = await newUser();
        await grant(id, 1, `bench-grant:${id}`, 'bench');
        return id;
      }),
    );
    ids.push(...batch);
  }
  const m = await measure(
    stack,
    ids.map((id) => [id, '0']),
  );
  const balances = await Promise.all(ids.map((id) => balanceOf(id)));
  return { ...m, left: balances.reduce((a, b) => a + b, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:credits', await run());
