import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { WebhookEventRow } from '../../../contracts/ops.ts';
import { opsCall } from './api.ts';
import { when } from '../format.ts';
import { ActionButton } from './ActionButton.tsx';
import { useOpsAction } from './useOpsAction.ts';
import { DataTable, type Column } from '../DataTable.tsx';
import { ErrorNote } from '../ErrorNote.tsx';

const noop = () => {};
const OUTCOMES = ['', 'fulfilled', 'ignored', 'no-session', 'failed', 'rejected'];

const COLUMNS: Column<WebhookEventRow>[] = [
  { header: 'When', cell: (r) => when(r.receivedAt) },
  {
    header: 'Event',
    cell: (r) => (
      <>
        {r.type}
        <br />
        <code>{r.eventId ?? '—'}</code>
        {r.source === 'replay' ? ' (replay)' : ''}
      </>
    ),
  },
  {
    header: 'Outcome',
    cell: (r) => (
      <>
        <span className={`badge outcome-${r.outcome}`}>{r.outcome}</span>
        {r.purchaseStatus ? ` → ${r.purchaseStatus}` : ''}
        {r.error ? <div className="error">{r.error}</div> : null}
      </>
    ),
  },
  { header: 'Time', num: true, cell: (r) => `${r.durationMs} ms` },
  { header: 'Session', cell: (r) => <code>{r.sessionId ?? '—'}</code> },
];

/** Every webhook delivery received, newest first, filterable; replay runs an event again. */
export function WebhookLog({ refreshToken, onAction }: { refreshToken: string; onAction: () => void }) {
  const [filter, setFilter] = useState({ type: '', outcome: '', q: '' });
  const [rows, setRows] = useState<WebhookEventRow[] | null>(null);
  // Listing is not an action worth reloading the audit trail for; a replay is.
  const list = useOpsAction(noop);
  const replay = useOpsAction(onAction);

  const load = useCallback(
    (f: typeof filter) =>
      list.run(async () => {
        const body = Object.fromEntries(Object.entries(f).filter(([, v]) => v.trim()));
        const r = await opsCall<WebhookEventRow[]>('webhooks', refreshToken, { ...body, limit: 100 });
        setRows(r);
        return `${r.length} entries`;
      }),
    // `list.run` only sets state, so the first one serves every render.
    [refreshToken],
  );
  useEffect(() => void load({ type: '', outcome: '', q: '' }), [load]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void load(filter);
  };
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) =>
    setFilter({ ...filter, [k]: e.target.value });

  return (
    <section className="card" data-testid="ops-webhooks">
      <h2>Webhook log</h2>
      <form className="row" onSubmit={submit}>
        <input
          value={filter.q}
          onChange={set('q')}
          placeholder="email, cs_… or evt_…"
          aria-label="Email, session or event"
        />
        <input value={filter.type} onChange={set('type')} placeholder="type" aria-label="Event type" />
        <select value={filter.outcome} onChange={set('outcome')} aria-label="Outcome">
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o || 'any outcome'}
            </option>
          ))}
        </select>
        <button disabled={list.busy}>Filter</button>
      </form>
      <ErrorNote error={list.error} />
      {replay.message ? <p data-testid="ops-replay-result">{replay.message}</p> : null}
      <ErrorNote error={replay.error} />
      {rows && rows.length === 0 ? <p className="muted">No deliveries.</p> : null}
      {rows && rows.length > 0 ? (
        <DataTable
          rows={rows}
          rowProps={(r) => ({ 'data-outcome': r.outcome })}
          className="ops-table"
          testId="ops-webhook-rows"
          columns={[
            ...COLUMNS,
            {
              header: '',
              cell: (r) =>
                r.eventId ? (
                  <ActionButton
                    action={replay}
                    testId="ops-replay"
                    run={async () => {
                      const res = await opsCall<{ status?: string | null; handled?: boolean }>('replay', refreshToken, {
                        eventId: r.eventId,
                      });
                      void load(filter);
                      return `Replayed ${r.eventId}: ${res.handled === false ? 'not a handled event' : `purchase ${res.status ?? 'not found'}`}.`;
                    }}
                  >
                    Replay
                  </ActionButton>
                ) : null,
            },
          ]}
        />
      ) : null}
    </section>
  );
}
