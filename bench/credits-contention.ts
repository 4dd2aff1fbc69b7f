// npm run bench:credits — 100 spends at once against a balance of 40, through the credits
// ledger (the code /api/generate runs, without its per-user rate limit): spends per second,
// latency, and the check that exactly 40 succeed and the balance never goes below zero (no lot
// gave out more units than it holds). Then 100 users spending one credit each at once (no
// contention on any one ledger), for comparison.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { balanceOf, grant, spend } from '../api/_lib/credits/ledger.ts';
import { adminDb } from '../api/_lib/platform/instant-admin.ts';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { startBenchStack } from './support/stack.ts';

export async function run(spends = 100, balance = 40): Promise<Row[]> {
  const stack = await startBenchStack();
  try {
    const db = adminDb();
    const userId = (
      await db.auth.verifyToken(await db.auth.createToken({ email: `bench-${randomUUID()}@example.com` }))
    ).id;
    await grant(userId, balance, `bench-grant:${userId}`, 'bench');
    const lat: number[] = [];
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: spends }, async (_, n) => {
        const s = performance.now();
        const r = await spend(userId, `bench-spend:${userId}:${n}`, 'bench spend');
        lat.push(performance.now() - s);
        return r.ok;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const { creditLots } = await db.query({ creditLots: { $: { where: { userId } }, claims: {} } });
    const overdrawn = creditLots.reduce((n, lot) => n + Math.max(0, lot.claims.length - lot.size), 0);
    const l = summarize(lat);
    return [
      { metric: `concurrent spends vs balance ${balance}`, value: String(spends) },
      { metric: 'spends/s', value: (spends / seconds).toFixed(0) },
      { metric: 'spend latency p50', value: ms(l.p50) },
      { metric: 'spend latency p99', value: ms(l.p99) },
      { metric: 'successful spends', value: String(results.filter(Boolean).length), target: `= ${balance}` },
      {
        metric: 'final balance / units given out beyond a lot',
        value: `${await balanceOf(userId)} / ${overdrawn}`,
        target: '0 / 0',
      },
      ...(await manyUsers(spends)),
    ];
  } finally {
    await stack.close();
  }
}

/** `users` users with one credit each, all spending it at once. */
async function manyUsers(users: number): Promise<Row[]> {
  const db = adminDb();
  const ids: string[] = [];
  for (let i = 0; i < users; i += 10) {
    // Setup, not measured: users and their grants, ten at a time.
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, users - i) }, async () => {
        const id = (
          await db.auth.verifyToken(await db.auth.createToken({ email: `bench-${randomUUID()}@example.com` }))
        ).id;
        await grant(id, 1, `bench-grant:${id}`, 'bench');
        return id;
      }),
    );
    ids.push(...batch);
  }
  const lat: number[] = [];
  const t0 = performance.now();
  const ok = await Promise.all(
    ids.map(async (id) => {
      const s = performance.now();
      const r = await spend(id, `bench-spend:${id}:0`, 'bench spend');
      lat.push(performance.now() - s);
      return r.ok;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const l = summarize(lat);
  const balances = await Promise.all(ids.map((id) => balanceOf(id)));
  return [
    { metric: `${users} users spending at once: spends/s`, value: (users / seconds).toFixed(0) },
    { metric: `${users} users spending at once: latency p50 / p99`, value: `${ms(l.p50)} / ${ms(l.p99)}` },
    {
      metric: `${users} users spending at once: successful / balances left`,
      value: `${ok.filter(Boolean).length} / ${balances.reduce((a, b) => a + b, 0)}`,
      target: `${users} / 0`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:credits', await run());
