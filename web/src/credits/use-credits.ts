import { creditsQuery, heldBalance, withRunningBalance } from '../../../contracts/credits.ts';
import { db } from '../instant.ts';

/**
 * The user's balance and newest history entries (each with the balance after it), live, from one
 * query: Balance and LedgerHistory share the subscription, so they always agree.
 */
export function useCredits(userId: string) {
  const { data, isLoading, error } = db.useQuery(creditsQuery(userId));
  const balance = data ? heldBalance(data) : 0;
  return { isLoading, error, balance, entries: withRunningBalance(data?.ledgerEntries ?? [], balance) };
}
