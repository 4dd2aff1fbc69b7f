import { useState, type FormEvent } from 'react';
import type { FindResult } from '../../../contracts/ops.ts';
import { money, opsCall, when } from './api.ts';
import { PurchaseActions } from './PurchaseActions.tsx';
import { useOpsAction } from './useOpsAction.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** Search by email: purchases with Stripe ids, receipts, plan, ledger and downloads, with actions. */
export function FindBuyer({ refreshToken, onAction }: { refreshToken: string; onAction: () => void }) {
  const [result, setResult] = useState<FindResult | null>(null);
  const [email, setEmail] = useState('');
  const search = useOpsAction(onAction);
  const recover = useOpsAction(onAction);

  const find = (target: string) =>
    search.run(async () => {
      const r = await opsCall<FindResult>('find', refreshToken, { email: target });
      setResult(r);
      return `${r.purchases.length} purchase(s) for ${r.email}`;
    });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void find(email);
  };

  return (
    <section className="card" data-testid="ops-find">
      <h2>Find a buyer</h2>
      <form className="row" onSubmit={submit}>
        <input
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="buyer@example.com"
          aria-label="Buyer email"
          data-testid="ops-find-email"
        />
        <button disabled={search.busy} data-testid="ops-find-submit">
          Find
        </button>
        {result ? (
          <button type="button" className="secondary" disabled={search.busy} onClick={() => void find(result.email)}>
            Refresh
          </button>
        ) : null}
      </form>
      <ErrorNote error={search.error} />
      {result ? (
        <div data-testid="ops-find-result" data-email={result.email}>
          <p className="row">
            <strong>{result.email}</strong>
            <span className="muted">
              {result.user
                ? `user ${result.user.id} · plan ${result.user.plan ?? 'none'} · customer ${result.user.stripeCustomerId ?? 'none'}`
                : 'no account (guest purchases only)'}
            </span>
            <button
              className="secondary"
              disabled={recover.busy}
              data-testid="ops-recover"
              onClick={() =>
                void recover.run(async () => {
                  await opsCall('recover', refreshToken, { email: result.email });
                  return `Recovery link sent to ${result.email}.`;
                })
              }
            >
              Send recovery link
            </button>
          </p>
          {recover.message ? <p data-testid="ops-recover-result">{recover.message}</p> : null}
          <ErrorNote error={recover.error} />

          <h3>Purchases</h3>
          {result.purchases.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <table className="ledger ops-table" data-testid="ops-purchases">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th>Status</th>
                  <th>Paid</th>
                  <th>Stripe</th>
                  <th>Receipt</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {result.purchases.map((p) => (
                  <tr key={p.id} data-testid={`ops-purchase-${p.sessionId}`} data-status={p.status}>
                    <td>{when(p.createdAt)}</td>
                    <td>
                      {p.title}
                      {p.unfulfilledReason ? (
                        <p className="error" data-testid="ops-unfulfilled">
                          Not fulfilled: {p.unfulfilledReason}
                        </p>
                      ) : null}
                    </td>
                    <td>
                      <span className={`badge status-${p.status}`}>{p.status}</span>
                      {p.access ? ' · access' : ''}
                    </td>
                    <td className="num">{money(p.amount, p.currency)}</td>
                    <td className="ids">
                      <code>{p.sessionId}</code>
                      <br />
                      <code>{p.paymentIntentId ?? '—'}</code>
                    </td>
                    <td>{p.receipt ? `${p.receipt.status}${p.receipt.error ? `: ${p.receipt.error}` : ''}` : '—'}</td>
                    <td>
                      <PurchaseActions
                        purchase={p}
                        refreshToken={refreshToken}
                        onDone={() => {
                          onAction();
                          void find(result.email);
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h3>
            Credits{' '}
            <span className="muted" data-testid="ops-balance">
              {result.balance}
            </span>
          </h3>
          {result.ledger.length === 0 ? (
            <p className="muted">No ledger entries.</p>
          ) : (
            <table className="ledger" data-testid="ops-ledger">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th>Change</th>
                  <th>Balance</th>
                </tr>
              </thead>
              <tbody>
                {result.ledger.map((e) => (
                  <tr key={e.seq}>
                    <td>{when(e.createdAt)}</td>
                    <td>{e.reason}</td>
                    <td className="num">{e.amount > 0 ? `+${e.amount}` : e.amount}</td>
                    <td className="num">{e.balance}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h3>Downloads</h3>
          {result.downloads.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul data-testid="ops-downloads">
              {result.downloads.map((d) => (
                <li key={d.purchaseId}>
                  {d.title}: {d.available ? `available (${d.file})` : d.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
