// Reading a user's credits ledger in tests the way its readers do (contracts/credits.ts), and
// checking what must always hold of it, whatever ran concurrently.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { InstantAdminDatabase } from '@instantdb/admin';
import { heldBalance, holdingsQuery } from '../../contracts/credits.ts';
import { lotIdOf } from '../../api/_lib/credits/lots.ts';
import type { AppSchema } from '../../instant.schema.ts';

type Admin = InstantAdminDatabase<AppSchema, any, any>;

/**
 * The history oldest first (by `createdAt`, as /credits shows it), each entry with `balance`: the
 * sum of the amounts up to it. Entries of the same millisecond (a grant and a spend right after
 * it, often, here) come in the order they were committed: Instant would order such a tie by
 * (random) id, so tests asserting a sequence would flake. The stand-in's `serverCreatedAt` is the
 * commit time, strictly increasing (local/instant/transact.ts), and the sort below is stable.
 */
export async function ledgerOf(admin: Admin, userId: string) {
  const { ledgerEntries } = await admin.query({
    ledgerEntries: { $: { where: { userId }, order: { serverCreatedAt: 'asc' } } },
  });
  const at = (e: { createdAt: string | number | Date }) => new Date(e.createdAt).getTime();
  let balance = 0;
  return ledgerEntries.sort((a, b) => at(a) - at(b)).map((e) => ({ ...e, balance: (balance += e.amount) }));
}

/** The balance as /credits computes it: what the open lots hold (plus an unopened legacy balance). */
export async function balanceOf(admin: Admin, userId: string): Promise<number> {
  return heldBalance(await admin.query(holdingsQuery(userId)));
}

/**
 * Every credit is a unit of a lot and every debit a claim of one: each grant made a lot of its
 * amount, each spend or clawback claimed exactly its amount, no lot gave out more units than it
 * has (never below zero), and the history's amounts add up to the balance. Returns the history.
 */
export async function expectConsistentLedger(admin: Admin, userId: string) {
  const [entries, { creditLots }, balance] = await Promise.all([
    ledgerOf(admin, userId),
    admin.query({ creditLots: { $: { where: { userId } }, claims: {} } }),
    balanceOf(admin, userId),
  ]);
  const claimsBy = new Map<string, number>();
  for (const lot of creditLots) {
    expect(lot.claims.length, `lot ${lot.ref}`).toBeLessThanOrEqual(lot.size);
    for (const c of lot.claims) {
      expect(Number(c.unit.slice(lot.id.length + 1))).toBeLessThan(lot.size);
      claimsBy.set(c.by, (claimsBy.get(c.by) ?? 0) + 1);
    }
  }
  const lots = new Map(creditLots.map((l) => [l.id, l]));
  for (const e of entries) {
    if (e.amount > 0 && !e.seq) expect(lots.get(lotIdOf(e.ref))?.size, e.ref).toBe(e.amount);
    else expect(claimsBy.get(e.ref) ?? 0, e.ref).toBe(e.seq ? 0 : Math.abs(e.amount));
  }
  expect(balance).toBeGreaterThanOrEqual(0);
  expect(entries.at(-1)?.balance ?? 0).toBe(balance);
  return entries;
}

export type LegacyChange = { amount: number; reason: string; ref?: string; sessionId?: string; shortfall?: number };
export type LegacyUser = { id: string; email: string; token: string; balance: number; entries: number };

/**
 * A ledger appended the old way (before credit lots): one entry per change, seq after seq, each
 * with the balance after it, a second apart from `since`.
 */
export async function writeLegacyLedger(
  admin: Admin,
  email: string,
  changes: LegacyChange[],
  since = Date.now() - 86_400_000,
): Promise<LegacyUser> {
  const token = await admin.auth.createToken(email);
  const { id } = await admin.auth.verifyToken(token);
  let balance = 0;
  for (const [i, c] of changes.entries()) {
    balance += c.amount;
    const seq = i + 1;
    await admin.transact(
      admin.tx.ledgerEntries[randomUUID()]
        .create({
          slot: `${id}:${seq}`,
          ref: c.ref ?? `use:${id}:${randomUUID()}`,
          userId: id,
          seq,
          amount: c.amount,
          balance,
          reason: c.reason,
          createdAt: since + seq * 1000,
          ...(c.sessionId ? { sessionId: c.sessionId } : {}),
          ...(c.shortfall ? { shortfall: c.shortfall } : {}),
        })
        .link({ owner: id }),
    );
  }
  return { id, email, token, balance, entries: changes.length };
}
