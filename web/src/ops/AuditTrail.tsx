import type { OpsAction } from '../../../contracts/ops.ts';
import { useOpsQuery } from './useOpsQuery.ts';
import { when } from '../format.ts';
import { DataTable, type Column } from '../DataTable.tsx';
import { ErrorNote } from '../ErrorNote.tsx';

const COLUMNS: Column<OpsAction>[] = [
  { header: 'When', cell: (a) => when(a.createdAt) },
  { header: 'Who', cell: (a) => a.operator },
  { header: 'What', cell: (a) => a.action },
  { header: 'Target', cell: (a) => <code>{a.target ?? ''}</code> },
  {
    header: 'Result',
    cell: (a) => (
      <span className={a.ok ? '' : 'error'}>
        {a.ok ? 'ok' : 'failed'}
        {a.detail ? `: ${a.detail}` : ''}
      </span>
    ),
  },
];

/** Who did what, when, newest first; reloaded after each action on the page. */
export function AuditTrail({ refreshToken, version }: { refreshToken: string; version: number }) {
  const { data: rows, error } = useOpsQuery<OpsAction[]>('audit', refreshToken, { limit: 50 }, version);
  return (
    <section className="card" data-testid="ops-audit">
      <h2>Audit trail</h2>
      <ErrorNote error={error} />
      {rows ? (
        <DataTable
          rows={rows}
          rowProps={(a) => ({ 'data-action': a.action })}
          className="ops-table"
          testId="ops-audit-rows"
          columns={COLUMNS}
        />
      ) : null}
    </section>
  );
}
