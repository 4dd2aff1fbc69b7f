import { useState, type FormEvent } from 'react';
import type { FindResult } from '../../../contracts/ops.ts';
import { opsCall } from './api.ts';
import { ActionButton } from './ActionButton.tsx';
import { PurchaseActions } from './PurchaseActions.tsx';
import { PurchaseTable } from './PurchaseTable.tsx';
import { useOpsAction } from './useOpsAction.ts';
import { LedgerTable } from '../credits/LedgerTable.tsx';
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
            <ActionButton
              action={recover}
              testId="ops-recover"
              run={async () => {
                await opsCall('recover', refreshToken, { email: result.email });
                return `Recovery link sent to ${result.email}.`;
              }}
            >
              Send recovery link
            </ActionButton>
          </p>
          {recover.message ? <p data-testid="ops-recover-result">{recover.message}</p> : null}
          <ErrorNote error={recover.error} />

          <h3>Purchases</h3>
          {result.purchases.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <PurchaseTable
              purchases={result.purchases}
              testId="ops-purchases"
              actions={(p) => (
                <PurchaseActions
                  purchase={p}
                  refreshToken={refreshToken}
                  onDone={() => {
                    onAction();
                    void find(result.email);
                  }}
                />
              )}
            />
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
            <LedgerTable entries={result.ledger} testId="ops-ledger" />
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
