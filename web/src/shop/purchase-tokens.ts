// The buyer's purchase tokens, kept in localStorage. A token is made and saved *before* checkout,
// so the success page can unlock without an account; every token held unlocks what it paid for.
// Tokens that can never unlock anything are pruned (see `prunableTokens`), so that the list the
// queries carry stays short; what is left is split across queries by token-query.ts.
import { useSyncExternalStore } from 'react';

const KEY = 'instant-shop.purchase-tokens';
const listeners = new Set<() => void>();

/** A token and when this browser saved it (ms). */
export type SavedToken = { token: string; savedAt: number };

/**
 * How long a token may have no purchase before it counts as abandoned: its checkout was never
 * made, or is a payment link's, whose purchase appears only once paid. Stripe ends every Checkout
 * Session within a day, so after this nothing can still become a purchase for it.
 */
export const ABANDONED_AFTER_MS = 25 * 60 * 60 * 1000;

/** Statuses of a purchase that will never unlock anything (the session ended unpaid). */
const DEAD = new Set(['expired', 'failed']);

let cache: { saved: SavedToken[]; tokens: string[] } | null = null;

/** Parses what is stored: this shape, or the older plain list of tokens (dated now). */
export function parseSaved(raw: string | null, now = Date.now()): SavedToken[] {
  let v: unknown;
  try {
    v = JSON.parse(raw ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out = new Map<string, SavedToken>();
  for (const x of v) {
    const t =
      typeof x === 'string'
        ? { token: x, savedAt: now }
        : x && typeof x.token === 'string'
          ? { token: x.token, savedAt: Number(x.savedAt) || now }
          : null;
    if (t && !out.has(t.token)) out.set(t.token, t);
  }
  return [...out.values()];
}

function read() {
  if (!cache) {
    const raw = localStorage.getItem(KEY);
    const saved = parseSaved(raw);
    cache = { saved, tokens: saved.map((s) => s.token) };
    // An older plain list is dated once, now, so that its abandoned tokens age like new ones.
    if (raw !== null && raw !== JSON.stringify(saved)) localStorage.setItem(KEY, JSON.stringify(saved));
  }
  return cache;
}

function write(saved: SavedToken[]) {
  localStorage.setItem(KEY, JSON.stringify(saved));
  cache = { saved, tokens: saved.map((s) => s.token) };
  listeners.forEach((l) => l());
}

export function addTokens(tokens: string[], now = Date.now()) {
  const saved = read().saved;
  const known = new Set(saved.map((s) => s.token));
  const added = [...new Set(tokens)].filter((t) => !known.has(t)).map((token) => ({ token, savedAt: now }));
  if (added.length) write([...saved, ...added]);
}

/** A fresh token, saved before it is used. */
export function newPurchaseToken(): string {
  const token = crypto.randomUUID();
  addTokens([token]);
  return token;
}

/**
 * Tokens that can never unlock anything, given every purchase the tokens show (a complete
 * result, never a loading or failed one): those whose purchases all ended unpaid, and those with
 * no purchase long after they were saved. A token with any pending or paid purchase is kept.
 */
export function prunableTokens(
  saved: SavedToken[],
  purchases: { token?: string; status: string }[],
  now = Date.now(),
): Set<string> {
  const statuses = new Map<string, string[]>();
  for (const p of purchases) if (p.token) statuses.set(p.token, [...(statuses.get(p.token) ?? []), p.status]);
  const out = new Set<string>();
  for (const { token, savedAt } of saved) {
    const s = statuses.get(token);
    if (s ? s.every((x) => DEAD.has(x)) : now - savedAt > ABANDONED_AFTER_MS) out.add(token);
  }
  return out;
}

/** Forgets the tokens that can never unlock anything (see `prunableTokens`). */
export function pruneTokens(purchases: { token?: string; status: string }[], now = Date.now()) {
  const saved = read().saved;
  const dead = prunableTokens(saved, purchases, now);
  if (dead.size) write(saved.filter((s) => !dead.has(s.token)));
}

export function useTokens(): string[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      const onStorage = (e: StorageEvent) => {
        if (e.key === KEY) {
          cache = null;
          l();
        }
      };
      window.addEventListener('storage', onStorage);
      return () => {
        listeners.delete(l);
        window.removeEventListener('storage', onStorage);
      };
    },
    () => read().tokens,
  );
}
