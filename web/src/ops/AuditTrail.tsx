import { useEffect, useState } from 'react';
import type { OpsAction } from '../../../contracts/ops.ts';
import { opsCall, when } from './api.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** Who did what, when, newest first; reloaded after each action on the page. */
export function AuditTrail({ refreshToken, version }: { refreshToken: string; version: number }) {
  const [rows, setRows] = useState<OpsAction[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    opsCall<OpsAction[]>('audit', refreshToken, { limit: 50 })
      .then((r) => live && setRows(r))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [refreshToken, version]);
  return (
    <section className="card" data-testid="ops-audit">
      <h2>Audit trail</h2>
      <ErrorNote error={error} />
      {rows ? (
        <table className="ledger ops-table" data-testid="ops-audit-rows">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Target</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} data-action={a.action}>
                <td>{when(a.createdAt)}</td>
                <td>{a.operator}</td>
                <td>{a.action}</td>
                <td>
                  <code>{a.target ?? ''}</code>
                </td>
                <td className={a.ok ? '' : 'error'}>
                  {a.ok ? 'ok' : 'failed'}
                  {a.detail ? `: ${a.detail}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
