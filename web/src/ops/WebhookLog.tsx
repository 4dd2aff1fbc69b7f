import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { WebhookEventRow } from '../../../contracts/ops.ts';
import { opsCall, when } from './api.ts';
import { useOpsAction } from './useOpsAction.ts';
import { ErrorNote } from '../ErrorNote.tsx';

const noop = () => {};
const OUTCOMES = ['', 'fulfilled', 'ignored', 'no-session', 'failed', 'rejected'];

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
        <table className="ledger ops-table" data-testid="ops-webhook-rows">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>Outcome</th>
              <th>Time</th>
              <th>Session</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-outcome={r.outcome}>
                <td>{when(r.receivedAt)}</td>
                <td>
                  {r.type}
                  <br />
                  <code>{r.eventId ?? '—'}</code>
                  {r.source === 'replay' ? ' (replay)' : ''}
                </td>
                <td>
                  <span className={`badge outcome-${r.outcome}`}>{r.outcome}</span>
                  {r.purchaseStatus ? ` → ${r.purchaseStatus}` : ''}
                  {r.error ? <div className="error">{r.error}</div> : null}
                </td>
                <td className="num">{r.durationMs} ms</td>
                <td>
                  <code>{r.sessionId ?? '—'}</code>
                </td>
                <td>
                  {r.eventId ? (
                    <button
                      className="secondary"
                      disabled={replay.busy}
                      data-testid="ops-replay"
                      onClick={() =>
                        void replay.run(async () => {
                          const res = await opsCall<{ status?: string | null; handled?: boolean }>(
                            'replay',
                            refreshToken,
                            { eventId: r.eventId },
                          );
                          void load(filter);
                          return `Replayed ${r.eventId}: ${res.handled === false ? 'not a handled event' : `purchase ${res.status ?? 'not found'}`}.`;
                        })
                      }
                    >
                      Replay
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
