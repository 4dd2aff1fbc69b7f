// The buyer's purchase tokens, kept in localStorage. A token is made and saved *before* checkout,
// so the success page can unlock without an account; every token held unlocks what it paid for.
import { useSyncExternalStore } from 'react';

const KEY = 'instant-shop.purchase-tokens';
const listeners = new Set<() => void>();
let cache: string[] | null = null;

function read(): string[] {
  if (cache) return cache;
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    cache = Array.isArray(v) ? v.filter((t) => typeof t === 'string') : [];
  } catch {
    cache = [];
  }
  return cache;
}

export function addTokens(tokens: string[]) {
  const next = [...new Set([...read(), ...tokens])];
  localStorage.setItem(KEY, JSON.stringify(next));
  cache = next;
  listeners.forEach((l) => l());
}

/** A fresh token, saved before it is used. */
export function newPurchaseToken(): string {
  const token = crypto.randomUUID();
  addTokens([token]);
  return token;
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
    read,
  );
}
