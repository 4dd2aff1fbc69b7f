import { db } from '../instant.ts';
import { LedgerTable } from './LedgerTable.tsx';

/** The last entries of the user's ledger: every grant, spend and clawback, with its reason. */
export function LedgerHistory({ userId }: { userId: string }) {
  const { data, error } = db.useQuery({
    ledgerEntries: { $: { where: { userId }, order: { seq: 'desc' }, limit: 50 } },
  });
  if (error) return <p className="error">Could not load your history: {error.message}</p>;
  const entries = data?.ledgerEntries ?? [];
  if (entries.length === 0) return <p className="muted">Nothing yet.</p>;
  return <LedgerTable entries={entries} testId="ledger" />;
}
