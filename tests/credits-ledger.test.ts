// The credits ledger itself (api/_lib/credits/ledger.ts) under contention, against the local
// Instant server through the real admin SDK: spends claim units of lots, so many spenders at
// once mostly win at once, yet exactly as many win as there were credits and no lot ever gives
// out more than it holds; grants, clawbacks and spends racing each other; lost answers.
import { randomUUID } from 'node:crypto';
import type { init as initAdmin } from '@instantdb/admin';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clawback, grant, spend } from '../api/_lib/credits/ledger.ts';
import { loadProjectConfig } from '../local/instant/project-config.ts';
import { startInstantLocal, type InstantLocal } from '../local/instant/server.ts';
import schema from '../instant.schema.ts';
import { lotsQuery } from '../contracts/credits.ts';
import { balanceOf, expectConsistentLedger, ledgerOf } from './support/credits.ts';
import { adminFor } from './support/instant-clients.ts';

let server: InstantLocal;
let admin: ReturnType<typeof initAdmin<typeof schema>>;

beforeAll(async () => {
  const { schema: json, rules } = await loadProjectConfig();
  server = await startInstantLocal({ memory: true, schema: json, rules });
  admin = adminFor(server, schema) as typeof admin;
  Object.assign(process.env, {
    INSTANT_APP_ID: server.appId,
    INSTANT_ADMIN_TOKEN: server.adminToken,
    INSTANT_API_URI: server.url,
  });
});
afterEach(() => faults({}));
afterAll(() => server.close());

const headers = () => ({ authorization: `Bearer ${server.adminToken}`, 'app-id': server.appId });
async function faults(body: unknown) {
  const res = await fetch(`${server.url}/_local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers() },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}
const faultState = async () =>
  (await (await fetch(`${server.url}/_local/faults`, { headers: headers() })).json()) as any;
const injected = async () => (await faultState()).injected;

async function newUser() {
  const { id } = await admin.auth.verifyToken(await admin.auth.createToken(`u-${randomUUID()}@example.com`));
  return id;
}
const use = (userId: string, n: number | string) => `use:${userId}:${n}`;
const spendMany = (userId: string, n: number, tag = 's') =>
  Promise.all(Array.from({ length: n }, (_, i) => spend(userId, use(userId, `${tag}${i}`), `Haiku ${i}`)));

describe('spends under contention', () => {
  it('lets exactly 40 of 100 concurrent spends win against 40 credits, never below zero', async () => {
    const u = await newUser();
    await grant(u, 40, `grant:${u}`, 'Bought 40 credits');
    const answers = await spendMany(u, 100);
    expect(answers.filter((a) => a.ok)).toHaveLength(40);
    expect(answers.filter((a) => !a.ok).every((a) => a.balance === 0)).toBe(true);
    const entries = await expectConsistentLedger(admin, u);
    expect(entries.map((e) => e.amount).sort((a, b) => a - b)).toEqual([...Array(40).fill(-1), 40]);
    expect(await balanceOf(admin, u)).toBe(0);
    // A full lot closes with the next claim that sees it (here the first spend of a new pack),
    // so the balance is read from the new lot only.
    await grant(u, 5, `grant:${u}:2`, 'Bought 5 credits');
    expect((await spend(u, use(u, 'next'), 'Haiku')).ok).toBe(true);
    expect((await admin.query(lotsQuery(u))).creditLots.map((l) => [l.ref, l.claims.length])).toEqual([
      [`grant:${u}:2`, 1],
    ]);
  });

  it('spends once per ref, however many times it is sent at once', async () => {
    const u = await newUser();
    await grant(u, 3, `grant:${u}`, 'Bought 3 credits');
    const answers = await Promise.all(Array.from({ length: 8 }, () => spend(u, use(u, 'same'), 'Haiku')));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect((await ledgerOf(admin, u)).map((e) => e.amount)).toEqual([3, -1]);
    // And a retry once the balance is gone still answers the spend it made, not a refusal.
    await spendMany(u, 2);
    expect(await spend(u, use(u, 'same'), 'Haiku')).toMatchObject({ ok: true });
    expect(await spend(u, use(u, 'new'), 'Haiku')).toEqual({ ok: false, balance: 0 });
  });

  it('answers the balance after the spend when the same ref landed between its read and its write', async () => {
    const u = await newUser();
    await grant(u, 10, `grant:${u}`, 'Bought 10 credits');
    // The first attempt's write is held; a second one with the same ref reads and lands meanwhile,
    // so the first finds it through the collision on `ref`, with a read from before it. Held 5 s:
    // the second spend's two calls must land inside the hold, also on a loaded machine.
    await faults({
      hang_ms: 5000,
      rules: [{ path: '/admin/transact', match: 'creditClaims', max: 1, rates: { slow: 1 } }],
    });
    const held = spend(u, use(u, 'race'), 'Haiku');
    await vi.waitFor(async () => expect((await faultState()).slow_in_flight).toBe(1), { timeout: 10_000 });
    expect(await spend(u, use(u, 'race'), 'Haiku')).toEqual({ ok: true, balance: 9 });
    expect((await faultState()).slow_in_flight).toBe(1); // it landed while the first write was held
    expect(await held).toEqual({ ok: true, balance: 9 });
    expect(await balanceOf(admin, u)).toBe(9);
    expect((await ledgerOf(admin, u)).map((e) => e.amount)).toEqual([10, -1]);
  });

  it('keeps each balance read small however long the history: older lots fill up and close', async () => {
    const u = await newUser();
    for (let g = 0; g < 20; g++) await grant(u, 10, `grant:${u}:${g}`, 'Bought 10 credits');
    for (let i = 0; i < 150; i++) expect((await spend(u, use(u, i), 'Haiku')).ok).toBe(true);
    const { creditLots } = await admin.query(lotsQuery(u));
    const claimsRead = creditLots.reduce((n, l) => n + l.claims.length, 0);
    expect(creditLots.length).toBeLessThan(20);
    expect(claimsRead).toBeLessThan(150);
    await expectConsistentLedger(admin, u);
    expect(await balanceOf(admin, u)).toBe(50);
  });
});

describe('reading the history', () => {
  it('gives entries of the same millisecond in the order they were committed', async () => {
    const u = await newUser();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      await grant(u, 3, `grant:${u}`, 'Bought 3 credits');
      for (const n of [1, 2]) await spend(u, use(u, n), 'Haiku');
    } finally {
      clock.mockRestore();
    }
    const entries = await ledgerOf(admin, u);
    expect(new Set(entries.map((e) => e.createdAt)).size).toBe(1);
    expect(entries.map((e) => [e.ref, e.balance])).toEqual([
      [`grant:${u}`, 3],
      [use(u, 1), 2],
      [use(u, 2), 1],
    ]);
  });
});

describe('grants and clawbacks racing spends', () => {
  it('grants once under concurrent duplicates', async () => {
    const u = await newUser();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => grant(u, 10, `grant:cs_${u}`, 'Bought 10 credits', `cs_${u}`)),
    );
    expect(answers.filter((a) => a.status === 'applied')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.entry.id)).size).toBe(1);
    expect(await balanceOf(admin, u)).toBe(10);
    await expectConsistentLedger(admin, u);
  });

  it('loses nothing when a grant, a clawback and spends run at once, and the clawback never goes below zero', async () => {
    const u = await newUser();
    await grant(u, 10, 'grant:cs_a', 'Bought 10 credits', 'cs_a');
    const [granted, taken, ...answers] = await Promise.all([
      grant(u, 20, 'grant:cs_b', 'Bought 20 credits', 'cs_b'),
      clawback(u, 10, 'clawback:re_a', 'Refund of 10 credits', 'cs_a'),
      ...Array.from({ length: 30 }, (_, i) => spend(u, use(u, i), 'Haiku')),
    ]);
    expect(granted.status).toBe('applied');
    const spent = answers.filter((a) => a.ok).length;
    const took = -taken.entry.amount;
    expect(took + (taken.entry.shortfall ?? 0)).toBe(10);
    expect(spent + took).toBe(30 - (await balanceOf(admin, u)));
    expect(spent).toBeGreaterThanOrEqual(20);
    await expectConsistentLedger(admin, u);
  });

  it('declines spends after a clawback took everything, and spends again once a restore grants it back', async () => {
    const u = await newUser();
    await grant(u, 10, 'grant:cs_r', 'Bought 10 credits', 'cs_r');
    await spendMany(u, 3);
    const taken = await clawback(u, 10, 'clawback:re_r', 'Refund of 10 credits', 'cs_r');
    expect(taken.entry).toMatchObject({ amount: -7, shortfall: 3, reason: expect.stringMatching(/3 already spent/) });
    expect(await clawback(u, 10, 'clawback:re_r', 'Refund of 10 credits', 'cs_r')).toMatchObject({
      status: 'already-applied',
      entry: { id: taken.entry.id },
    });
    expect((await spendMany(u, 5, 'after')).some((a) => a.ok)).toBe(false);
    await grant(u, 7, 'refund-failed:re_r', 'Refund of 10 credits failed: credits restored', 'cs_r');
    expect((await spendMany(u, 10, 'restored')).filter((a) => a.ok)).toHaveLength(7);
    const entries = await expectConsistentLedger(admin, u);
    expect(entries.at(-1)!.balance).toBe(0);
  });

  it('takes a clawback from its own pack first, the rest from what else is held', async () => {
    const u = await newUser();
    await grant(u, 10, 'grant:cs_old', 'Bought 10 credits', 'cs_old');
    await grant(u, 10, 'grant:cs_new', 'Bought 10 credits', 'cs_new');
    await spendMany(u, 5);
    await clawback(u, 10, 'clawback:re_new', 'Refund of 10 credits', 'cs_new');
    expect(await balanceOf(admin, u)).toBe(5);
    const { creditLots } = await admin.query({ creditLots: { $: { where: { userId: u } }, claims: {} } });
    const claimed = new Map(creditLots.map((l) => [l.ref, l.claims.map((c) => c.by)]));
    // Whatever the spends left of the refunded pack went to the clawback, and the rest of it
    // came from the other pack.
    const fromNew = claimed.get('grant:cs_new')!;
    expect(fromNew).toHaveLength(10);
    const spentFromNew = fromNew.filter((by) => by !== 'clawback:re_new').length;
    expect(claimed.get('grant:cs_old')!.filter((by) => by === 'clawback:re_new')).toHaveLength(spentFromNew);
    await expectConsistentLedger(admin, u);
  });
});

describe('lost answers', () => {
  it('reads a claim whose answer was lost back: one spend, its claim owned by its ref', async () => {
    const u = await newUser();
    await grant(u, 10, `grant:${u}`, 'Bought 10 credits');
    await faults({ rules: [{ path: '/admin/transact', match: 'creditClaims', max: 1, rates: { lost_answer: 1 } }] });
    const spent = await spend(u, use(u, 'lost'), 'Haiku');
    expect(await injected()).toEqual({ lost_answer: 1 });
    expect(spent).toEqual({ ok: true, balance: 9 });
    const { creditClaims } = await admin.query({ creditClaims: { $: { where: { userId: u } } } });
    expect(creditClaims.map((c) => c.by)).toEqual([use(u, 'lost')]);
    expect((await ledgerOf(admin, u)).map((e) => e.amount)).toEqual([10, -1]);
  });

  it('a grant and a clawback whose answers were lost are applied once', async () => {
    const u = await newUser();
    await faults({ rules: [{ path: '/admin/transact', match: 'creditLots', max: 1, rates: { lost_answer: 1 } }] });
    expect((await grant(u, 10, 'grant:cs_l', 'Bought 10 credits', 'cs_l')).status).toBe('applied');
    await faults({ rules: [{ path: '/admin/transact', match: 'clawback:re_l', max: 1, rates: { lost_answer: 1 } }] });
    expect((await clawback(u, 4, 'clawback:re_l', 'Refund', 'cs_l')).status).toBe('applied');
    expect(await injected()).toEqual({ lost_answer: 1 });
    expect((await ledgerOf(admin, u)).map((e) => [e.ref, e.amount, e.balance])).toEqual([
      ['grant:cs_l', 10, 10],
      ['clawback:re_l', -4, 6],
    ]);
    await expectConsistentLedger(admin, u);
  });
});
