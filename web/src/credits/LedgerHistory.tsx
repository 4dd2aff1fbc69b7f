import { LedgerTable } from './LedgerTable.tsx';
import { useCredits } from './use-credits.ts';

/** The last entries of the user's ledger: every grant, spend and clawback, with its reason. */
export function LedgerHistory({ userId }: { userId: string }) {
  const { entries, error } = useCredits(userId);
  if (error) return <p className="error">Could not load your history: {error.message}</p>;
  if (entries.length === 0) return <p className="muted">Nothing yet.</p>;
  return <LedgerTable entries={entries} testId="ledger" />;
}
