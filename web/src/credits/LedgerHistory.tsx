import { useCredits } from './use-credits.ts';

/** The last entries of the user's ledger: every grant, spend and clawback, with its reason. */
export function LedgerHistory({ userId }: { userId: string }) {
  const { entries, error } = useCredits(userId);
  if (error) return <p className="error">Could not load your history: {error.message}</p>;
  if (entries.length === 0) return <p className="muted">Nothing yet.</p>;
  return (
    <table className="ledger" data-testid="ledger">
      <thead>
        <tr>
          <th>When</th>
          <th>What</th>
          <th>Change</th>
          <th>Balance</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>{new Date(e.createdAt).toLocaleString()}</td>
            <td>{e.reason}</td>
            <td className="num">{e.amount > 0 ? `+${e.amount}` : e.amount}</td>
            <td className="num">{e.balance}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
