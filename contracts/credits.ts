// How a user's credits are read, by the browser (/credits, live) and by api/ (the ledger, the
// operator pages) alike: the balance is what the user's open credit lots still hold, plus a
// legacy ledger's balance not yet turned into an opening lot (instant.schema.ts). Each part is
// bounded however long the history: open lots only (a full lot closes) and a few newest entries,
// whose running balance is derived from the balance.
import type { InstaQLParams } from '@instantdb/core';
import type { AppSchema } from '../instant.schema.ts';

export const HISTORY_ROWS = 50;

const openLots = (userId: string) => ({
  $: { where: { userId, open: true }, order: { createdAt: 'asc' as const } },
  claims: {},
});

/** The user's open lots with their claims (api/). */
export function lotsQuery(userId: string) {
  return { creditLots: openLots(userId) } satisfies InstaQLParams<AppSchema>;
}

/** The newest legacy entry with its opening lot (api/). */
export function legacyQuery(userId: string) {
  return {
    ledgerEntries: {
      $: { where: { userId, seq: { $gt: 0 } }, order: { seq: 'desc' as const }, limit: 1 },
      opening: {},
    },
  } satisfies InstaQLParams<AppSchema>;
}

/** The balance alone (api/): the open lots, and the newest legacy entry with its opening lot, in one snapshot. */
export function holdingsQuery(userId: string) {
  return { ...lotsQuery(userId), ...legacyQuery(userId) } satisfies InstaQLParams<AppSchema>;
}

/** What /credits subscribes to: the balance and the newest history entries, as one consistent result. */
export function creditsQuery(userId: string) {
  return {
    creditLots: openLots(userId),
    ledgerEntries: {
      $: { where: { userId }, order: { createdAt: 'desc' as const }, limit: HISTORY_ROWS },
      opening: {},
    },
  } satisfies InstaQLParams<AppSchema>;
}

type LegacyEntry = { seq?: number; balance?: number; opening?: unknown };
export type Holdings<E extends LegacyEntry = LegacyEntry> = {
  creditLots: { size: number; claims: unknown[] }[];
  /** Newest first. */
  ledgerEntries: E[];
};

/** A has-one link as a list (empty when absent), whichever shape the SDK answers with. */
const linked = (v: unknown): unknown[] => [v ?? []].flat();

/**
 * The legacy entry whose balance no opening lot holds yet, or null. Only while the newest entry
 * is a legacy one can the balance be unopened; then it is the one with the highest `seq`.
 */
export function unopenedLegacy<E extends LegacyEntry>({ ledgerEntries }: Holdings<E>): E | null {
  if (!ledgerEntries[0]?.seq) return null;
  const tail = ledgerEntries.reduce((a, b) => ((b.seq ?? 0) > (a.seq ?? 0) ? b : a));
  return linked(tail.opening).length === 0 ? tail : null;
}

/**
 * What a legacy ledger holds: what its entries' amounts add up to (`amount` is required; `seq` and
 * `balance` are optional, and Instant lets a client retract an optional field, so the opening lot
 * and the operators' figures never trust them). `heldBalance`, a bounded live read, shows the newest
 * legacy entry's `balance` until the ledger is opened.
 */
export function legacyTotal(entries: { amount: number }[]): number {
  return Math.max(
    0,
    entries.reduce((sum, e) => sum + e.amount, 0),
  );
}

export function heldBalance(h: Holdings): number {
  const inLots = h.creditLots.reduce((sum, lot) => sum + lot.size - lot.claims.length, 0);
  return inLots + (unopenedLegacy(h)?.balance ?? 0);
}

/** Newest-first entries with `balance` (after each) counted back from the current balance. */
export function withRunningBalance<E extends { amount: number }>(newestFirst: E[], balance: number) {
  let after = balance;
  return newestFirst.map((e) => {
    const row = { ...e, balance: after };
    after -= e.amount;
    return row;
  });
}
