import { DataTable } from '../DataTable.tsx';
import { when } from '../format.ts';

type Entry = { ref: string; amount: number; balance: number; reason: string; createdAt: number | string };

/** Ledger entries, newest first: the buyer's history on /credits and the operator's view of a buyer. */
export function LedgerTable({ entries, testId }: { entries: readonly Entry[]; testId: string }) {
  return (
    <DataTable
      rows={entries}
      rowKey={(e) => e.ref}
      testId={testId}
      columns={[
        { header: 'When', cell: (e) => when(e.createdAt) },
        { header: 'What', cell: (e) => e.reason },
        { header: 'Change', num: true, cell: (e) => (e.amount > 0 ? `+${e.amount}` : e.amount) },
        { header: 'Balance', num: true, cell: (e) => e.balance },
      ]}
    />
  );
}
