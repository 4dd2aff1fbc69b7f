// Moving a live shop from the slot ledger (every entry claims `<userId>:<seq>` and carries the
// running balance) to credit lots: the schema change is pushed with instant-cli onto a server
// holding ledgers written the old way, `npm run migrate:ledger` runs twice at once (and once more
// from its CLI) while the user spends and watches /credits live, and every balance and history is
// as it was; afterwards spends, clawbacks and declines work as for any ledger.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawback, spend } from '../api/_lib/credits/ledger.ts';
import { openingRef } from '../api/_lib/credits/lots.ts';
import { migrateLegacyLedgers } from '../api/_lib/credits/migrate-legacy.ts';
import { findByEmail } from '../api/_lib/ops/find-by-email.ts';
import { creditsQuery, heldBalance, legacyQuery, withRunningBalance } from '../contracts/credits.ts';
import { rawSession } from '../local/instant/conformance/raw-session.ts';
import { runInstantCli } from '../local/instant/instant-cli-runner.ts';
import { loadProjectConfig } from '../local/instant/project-config.ts';
import { startInstantLocal, type InstantLocal } from '../local/instant/server.ts';
import schema from '../instant.schema.ts';
import {
  balanceOf,
  expectConsistentLedger,
  ledgerOf,
  writeLegacyLedger as writeLegacy,
  type LegacyChange,
  type LegacyUser,
} from './support/credits.ts';
import { adminFor, clientFor } from './support/instant-clients.ts';

const ROOT = resolve(import.meta.dirname, '..');
let server: InstantLocal;
let admin: ReturnType<typeof adminFor>;
const clients: ReturnType<typeof clientFor>[] = [];

/** The schema as it was before credit lots: no lots or claims, and every entry carries slot, seq and balance. */
async function legacySchema() {
  const { schema: now, rules } = await loadProjectConfig(ROOT);
  const s = structuredClone(now) as any;
  delete s.entities.creditLots;
  delete s.entities.creditClaims;
  for (const link of ['lotOwner', 'lotClaims', 'lotOpening']) delete s.links[link];
  for (const attr of ['slot', 'seq', 'balance']) s.entities.ledgerEntries.attrs[attr].required = true;
  return { schema: s, rules };
}

const writeLegacyLedger = (email: string, changes: LegacyChange[]) => writeLegacy(admin as any, email, changes);
const spends = (n: number): LegacyChange[] =>
  Array.from({ length: n }, (_, i) => ({ amount: -1, reason: `Haiku ${i}` }));

function runMigrateCli(args: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate-ledger.ts', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        INSTANT_APP_ID: server.appId,
        INSTANT_ADMIN_TOKEN: server.adminToken,
        INSTANT_API_URI: server.url,
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code, out }));
  });
}

/** A signed-in client subscribed to what /credits shows, recording every balance it is shown. */
async function watchCredits(u: LegacyUser) {
  const db = clientFor(server, schema);
  clients.push(db);
  await db.auth.signInWithToken(u.token);
  const seen: number[] = [];
  let last: any = null;
  const waiters: { until: (balance: number) => boolean; done: () => void }[] = [];
  db.subscribeQuery(creditsQuery(u.id), (r: any) => {
    if (!r.data) return;
    last = r.data;
    const balance = heldBalance(r.data);
    if (seen.at(-1) !== balance) seen.push(balance);
    for (const w of waiters.splice(0))
      if (w.until(balance)) w.done();
      else waiters.push(w);
  });
  return {
    seen,
    /** The history rows as shown: newest first, each with the balance after it. */
    rows: () => withRunningBalance(last.ledgerEntries, heldBalance(last)),
    until: (until: (balance: number) => boolean) =>
      new Promise<void>((done) => (last && until(heldBalance(last)) ? done() : waiters.push({ until, done }))),
  };
}

let alice: LegacyUser; // a pack, spends, a refund with a shortfall, a restored refund
let bob: LegacyUser; // more history than /credits shows at once
let carol: LegacyUser; // spent everything
let before: { alice: unknown; entries: Map<string, unknown[]> };

beforeAll(async () => {
  const legacy = await legacySchema();
  server = await startInstantLocal({ memory: true, schema: legacy.schema, rules: legacy.rules });
  admin = adminFor(server);
  Object.assign(process.env, {
    INSTANT_APP_ID: server.appId,
    INSTANT_ADMIN_TOKEN: server.adminToken,
    INSTANT_API_URI: server.url,
  });
  alice = await writeLegacyLedger(`alice.${randomUUID().slice(0, 6)}@example.com`, [
    { amount: 10, reason: 'Bought 10 credits', ref: 'grant:cs_alice', sessionId: 'cs_alice' },
    ...spends(4),
    {
      amount: -6,
      reason: 'Refund of 10 credits (4 already spent, not taken back)',
      ref: 'clawback:re_a',
      shortfall: 4,
    },
    { amount: 6, reason: 'Refund of 10 credits failed: credits restored', ref: 'refund-failed:re_a' },
    ...spends(1),
  ]);
  bob = await writeLegacyLedger(`bob.${randomUUID().slice(0, 6)}@example.com`, [
    { amount: 50, reason: 'Bought 50 credits', ref: 'grant:cs_bob1', sessionId: 'cs_bob1' },
    { amount: 10, reason: 'Bought 10 credits', ref: 'grant:cs_bob2', sessionId: 'cs_bob2' },
    ...spends(52),
  ]);
  carol = await writeLegacyLedger(`carol.${randomUUID().slice(0, 6)}@example.com`, [
    { amount: 10, reason: 'Bought 10 credits', ref: 'grant:cs_carol', sessionId: 'cs_carol' },
    ...spends(10),
  ]);
  const entries = new Map<string, unknown[]>();
  for (const u of [alice, bob, carol]) entries.set(u.id, await ledgerOf(admin as any, u.id));
  before = { alice: await findByEmail(alice.email), entries };
}, 60_000);

afterAll(async () => {
  clients.forEach((c) => c.shutdown());
  await server?.close();
});

describe('migrating legacy ledgers to credit lots', () => {
  it('pushes the schema change with instant-cli onto the legacy data, which it leaves as it was', async () => {
    const pushed = await runInstantCli(['push', 'schema'], {
      cwd: ROOT,
      target: { url: server.url, appId: server.appId, adminToken: server.adminToken },
    });
    expect(pushed.code, pushed.output).toBe(0);
    expect((await admin.query({ creditLots: {}, creditClaims: {} })) as any).toEqual({
      creditLots: [],
      creditClaims: [],
    });
    for (const u of [alice, bob, carol]) expect(await ledgerOf(admin as any, u.id)).toEqual(before.entries.get(u.id));
  });

  it('shows every legacy balance and history before, during and after migrations run at once', async () => {
    expect([alice, bob, carol].map((u) => u.balance)).toEqual([5, 8, 0]);
    for (const u of [alice, bob, carol]) expect(await balanceOf(admin as any, u.id)).toBe(u.balance);
    const watch = await watchCredits(bob);
    await watch.until((b) => b === 8);
    const shown = watch.rows();
    expect(shown).toHaveLength(50);
    // Derived from the balance, the running balance shown is the one each entry recorded.
    const recorded = new Map((before.entries.get(bob.id) as any[]).map((e) => [e.id, e.balance]));
    expect(shown.every((r: any) => recorded.get(r.id) === r.balance)).toBe(true);

    // Two migrations and the CLI at once, while bob spends twice.
    const [first, second, cli, ...spent] = await Promise.all([
      migrateLegacyLedgers(),
      migrateLegacyLedgers(),
      runMigrateCli(),
      spend(bob.id, `use:${bob.id}:during-1`, 'Haiku during'),
      spend(bob.id, `use:${bob.id}:during-2`, 'Haiku during'),
    ]);
    expect(spent.map((s) => s.ok)).toEqual([true, true]);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/^3 legacy ledgers: \d opened, \d already open$/m);
    for (const r of [first, second]) expect(r).toMatchObject({ ledgers: 3 });
    expect(first.opened + first.alreadyOpen).toBe(3);
    await watch.until((b) => b === 6);
    // Live all along, and never a balance the ledger did not hold: no legacy balance counted twice or lost.
    expect(watch.seen[0]).toBe(8);
    expect(watch.seen.every((b, i) => [8, 7, 6].includes(b) && (i === 0 || b < watch.seen[i - 1]))).toBe(true);

    // One opening lot per legacy ledger, holding its balance, linked to the entry that recorded it.
    const { creditLots } = await admin.query({
      creditLots: { $: { where: { ref: { $in: [alice, bob, carol].map((u) => openingRef(u.id)) } } }, openedFrom: {} },
    });
    expect(creditLots.map((l: any) => [l.userId, l.size, l.open]).sort()).toEqual(
      [
        [alice.id, 5, true],
        [bob.id, 8, true],
        [carol.id, 0, false],
      ].sort(),
    );
    for (const l of creditLots as any[]) expect([l.openedFrom].flat()[0].seq).toBeGreaterThan(1);

    expect(await migrateLegacyLedgers()).toEqual({ ledgers: 3, opened: 0, alreadyOpen: 3 });
    for (const u of [alice, carol]) expect(await ledgerOf(admin as any, u.id)).toEqual(before.entries.get(u.id));
    expect((await ledgerOf(admin as any, bob.id)).slice(0, bob.entries)).toEqual(before.entries.get(bob.id));
    for (const u of [alice, bob, carol]) await expectConsistentLedger(admin as any, u.id);
    expect(await findByEmail(alice.email)).toEqual(before.alice);
    expect(
      watch
        .rows()
        .slice(2)
        .map((r) => r.balance),
    ).toEqual(shown.slice(0, 48).map((r) => r.balance));
  });

  it('spends, claws back and declines on migrated ledgers as on any other', async () => {
    const declined = await spend(carol.id, `use:${carol.id}:after`, 'Haiku after');
    expect(declined).toEqual({ ok: false, balance: 0 });
    // A second refund of alice's pack takes what is left (5 of 8), never below zero.
    const taken = await clawback(alice.id, 8, 'clawback:re_b', 'Refund of 10 credits', 'cs_alice');
    expect(taken.entry).toMatchObject({ amount: -5, shortfall: 3 });
    expect(await balanceOf(admin as any, alice.id)).toBe(0);
    expect((await spend(alice.id, `use:${alice.id}:after`, 'Haiku after')).ok).toBe(false);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => spend(bob.id, `use:${bob.id}:after-${i}`, 'Haiku after')),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(6);
    for (const u of [alice, bob, carol]) {
      const entries = await expectConsistentLedger(admin as any, u.id);
      expect(entries.slice(0, u.entries)).toEqual(before.entries.get(u.id));
    }
    const found = await findByEmail(bob.email);
    expect(found.balance).toBe(0);
    expect(found.ledger).toHaveLength(bob.entries + 8);
  });

  it('counts without writing on a dry run, and answers --help', async () => {
    const dry = await runMigrateCli(['--dry-run']);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain('3 legacy ledgers: 0 to open, 3 already open');
    const help = await runMigrateCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: npm run migrate:ledger');
  });

  it('refuses clearly, without looping, a legacy entry written after its opening lot (an old version still running)', async () => {
    const dave = await writeLegacyLedger(`dave-${randomUUID()}@example.com`, [
      { amount: 5, reason: 'Bought 5 credits' },
    ]);
    // The first spend opens the legacy balance as a lot, then spends from it.
    expect(await spend(dave.id, `use:${dave.id}:first`, 'Haiku first')).toEqual({ ok: true, balance: 4 });
    // An instance of the old version appends the old way, after the lot was opened.
    await admin.transact(
      admin.tx.ledgerEntries[randomUUID()]
        .create({
          slot: `${dave.id}:2`,
          ref: `use:${dave.id}:old-writer`,
          userId: dave.id,
          seq: 2,
          amount: -1,
          balance: 4,
          reason: 'Haiku by the old version',
          createdAt: Date.now(),
        })
        .link({ owner: dave.id }),
    );
    await expect(spend(dave.id, `use:${dave.id}:after`, 'Haiku after')).rejects.toThrow(
      /legacy entry newer than its opening lot/,
    );
  });

  it('answers a spend retried after the migration, which the legacy ledger recorded, with its balance', async () => {
    const erin = await writeLegacyLedger(`erin-${randomUUID()}@example.com`, [
      { amount: 5, reason: 'Bought 5 credits' },
      { amount: -1, reason: 'Haiku before', ref: 'use:erin-before' },
    ]);
    // Its ref collides with the legacy entry, which (unlike a claim) the read's balance already counts.
    expect(await spend(erin.id, 'use:erin-before', 'Haiku before')).toEqual({ ok: true, balance: 4 });
    expect(await balanceOf(admin as any, erin.id)).toBe(4);
    expect(await ledgerOf(admin as any, erin.id)).toHaveLength(2);
  });

  it('opens a legacy ledger at what its entries add up to, whatever its owner retracted from their optional fields', async () => {
    // Since the push, `seq` and `balance` are optional, and Instant's server asks no rule for a
    // client's `retract-triple` of a plain field: an owner, who reads their entries, can take `seq`
    // off the newest ones, so the highest `seq` left carries an older, higher balance.
    const users = await Promise.all(
      ['frank', 'gina'].map((name) =>
        writeLegacyLedger(`${name}-${randomUUID()}@example.com`, [
          { amount: 10, reason: 'Bought 10 credits' },
          ...spends(6),
        ]),
      ),
    );
    for (const u of users) {
      const s = await rawSession(server, { refreshToken: u.token });
      try {
        for (const e of (await ledgerOf(admin as any, u.id)).slice(-3) as any[]) {
          const answer = await s.transact([['retract-triple', e.id, s.attr('ledgerEntries', 'seq'), e.seq]]);
          expect(answer.op).toBe('transact-ok');
        }
      } finally {
        s.close();
      }
      // What the highest remaining `seq` says (the balance before the last three spends).
      expect((await admin.query(legacyQuery(u.id))).ledgerEntries[0]).toMatchObject({ seq: 4, balance: 7 });
    }
    const [frank, gina] = users;
    // Opened by a spend that meets it, and by the migration: both at the entries' sum, 10 - 6.
    expect(await spend(frank.id, `use:${frank.id}:after`, 'Haiku after')).toEqual({ ok: true, balance: 3 });
    expect(await migrateLegacyLedgers()).toMatchObject({ opened: 1 });
    expect(await balanceOf(admin as any, gina.id)).toBe(4);
    const { creditLots } = await admin.query({
      creditLots: { $: { where: { ref: { $in: users.map((u) => openingRef(u.id)) } } } },
    });
    expect(creditLots.map((l: any) => l.size)).toEqual([4, 4]);
  });
});
