import { useCredits } from './use-credits.ts';

/** What the user's credit lots hold; it changes live when a grant or a spend is written. */
export function Balance({ userId }: { userId: string }) {
  const { balance, isLoading, error } = useCredits(userId);
  if (error) return <p className="error">Could not load your balance: {error.message}</p>;
  return (
    <p className="balance">
      Balance: <strong data-testid="balance">{isLoading ? '…' : balance}</strong> {balance === 1 ? 'credit' : 'credits'}
    </p>
  );
}
