import { useState, type FormEvent } from 'react';
import type { ReconcileReport } from '../../../contracts/ops.ts';
import { opsCall } from './api.ts';
import { useOpsAction } from './useOpsAction.ts';
import { ErrorNote } from '../ErrorNote.tsx';
import { when } from '../format.ts';

/** Repairs what missed webhooks left undone since a time, and shows what it changed. */
export function Reconcile({ refreshToken, onAction }: { refreshToken: string; onAction: () => void }) {
  const [since, setSince] = useState('24h');
  const [report, setReport] = useState<ReconcileReport | null>(null);
  const action = useOpsAction(onAction);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void action.run(async () => {
      const r = await opsCall<ReconcileReport>('reconcile', refreshToken, { since });
      setReport(r);
      return `Checked ${r.sessionsChecked} sessions and ${r.eventsChecked} events since ${when(r.since)}.`;
    });
  };
  return (
    <section className="card" data-testid="ops-reconcile">
      <h2>Reconcile with Stripe</h2>
      <form className="row" onSubmit={submit}>
        <label className="row">
          Since{' '}
          <input
            value={since}
            onChange={(e) => setSince(e.target.value)}
            aria-label="Since"
            placeholder="24h or 2026-01-01T00:00Z"
          />
        </label>
        <button disabled={action.busy} data-testid="ops-reconcile-run">
          {action.busy ? 'Reconciling…' : 'Reconcile'}
        </button>
      </form>
      <ErrorNote error={action.error} />
      {report ? (
        <div
          data-testid="ops-reconcile-report"
          data-repaired={report.repaired.length}
          data-findings={report.findings.length}
        >
          <p>
            {action.message} {report.repaired.length} repaired, {report.receiptsResent.length} receipts re-sent,{' '}
            {report.errors.length} errors; pruned {report.pruned.rateSlots} rate-limit slots and{' '}
            {report.pruned.webhookEvents} old webhook-log rows.
          </p>
          <ul>
            {report.repaired.map((r) => (
              <li key={r.sessionId}>
                <code>{r.sessionId}</code> {r.email ?? ''}: {r.changes.join('; ')}
              </li>
            ))}
            {report.receiptsResent.map((r) => (
              <li key={`receipt-${r.sessionId}`}>
                Receipt for <code>{r.sessionId}</code> to {r.to}: {r.result}
              </li>
            ))}
            {report.errors.map((e) => (
              <li key={`error-${e.target}`} className="error">
                {e.target}: {e.error}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
