import { db } from '../instant.ts';

/** The balance is the newest ledger entry's; it changes live when a grant or a spend is written. */
export function Balance({ userId }: { userId: string }) {
  const { data, isLoading, error } = db.useQuery({
    ledgerEntries: { $: { where: { userId }, order: { seq: 'desc' }, limit: 1 } },
  });
  if (error) return <p className="error">Could not load your balance: {error.message}</p>;
  const balance = data?.ledgerEntries[0]?.balance ?? 0;
  return (
    <p className="balance">
      Balance: <strong data-testid="balance">{isLoading ? '…' : balance}</strong> {balance === 1 ? 'credit' : 'credits'}
    </p>
  );
}
