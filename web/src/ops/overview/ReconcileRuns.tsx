import type { DriftRun } from '../../../../contracts/ops.ts';
import { DataTable } from '../../DataTable.tsx';
import { when } from '../../format.ts';

/** The last reconcile runs (on demand and the daily cron) and what each found out of step with Stripe. */
export function ReconcileRuns({ runs }: { runs: DriftRun[] }) {
  return (
    <section className="card" data-testid="ov-reconcile-runs">
      <h2>Reconcile runs</h2>
      {runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <DataTable
          caption="Last reconcile runs"
          rows={runs}
          rowProps={(r) => ({ 'data-findings': r.findingsCount })}
          className="ops-table"
          columns={[
            { header: 'Finished', cell: (r) => when(r.finishedAt) },
            { header: 'By', cell: (r) => r.trigger },
            { header: 'Since', cell: (r) => when(r.since) },
            { header: 'Checked', num: true, cell: (r) => `${r.sessionsChecked} sessions, ${r.eventsChecked} events` },
            {
              header: 'Found and repaired',
              cell: (r) =>
                r.findingsCount === 0 ? (
                  <span className="muted">in step</span>
                ) : (
                  <ul className="findings">
                    {r.findings.map((f, i) => (
                      <li key={i} data-kind={f.kind}>
                        <span className="badge">{f.kind}</span> {f.email ?? ''} {f.detail}
                        {f.sessionId ? (
                          <>
                            {' '}
                            <code>{f.sessionId}</code>
                          </>
                        ) : null}
                      </li>
                    ))}
                    {r.findingsCount > r.findings.length ? (
                      <li className="muted">and {r.findingsCount - r.findings.length} more</li>
                    ) : null}
                  </ul>
                ),
            },
            { header: 'Errors', num: true, cell: (r) => <span className={r.errors ? 'error' : ''}>{r.errors}</span> },
          ]}
        />
      )}
    </section>
  );
}
