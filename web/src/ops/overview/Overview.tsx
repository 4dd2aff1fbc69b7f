import { useSearchParams } from 'react-router';
import type { OverviewInput, OverviewResult } from '../../../../contracts/ops.ts';
import { DataTable } from '../../DataTable.tsx';
import { ErrorNote } from '../../ErrorNote.tsx';
import { useOpsQuery } from '../useOpsQuery.ts';
import { Attention } from './Attention.tsx';
import { Exports } from './Exports.tsx';
import { Figures } from './Figures.tsx';
import { RangePicker } from './RangePicker.tsx';
import { operatorTimeZone, rangeFromSearch, searchFromRange } from './range.ts';
import { ReconcileRuns } from './ReconcileRuns.tsx';
import { Revenue } from './Revenue.tsx';
import { WebhookHealth } from './WebhookHealth.tsx';

/** The shop at a glance for a range: sales, purchases, credits, webhook health, what needs attention, drift. */
export function Overview({ refreshToken }: { refreshToken: string }) {
  const [search, setSearch] = useSearchParams();
  const input = rangeFromSearch(search, operatorTimeZone());
  const { data, error, loading } = useOpsQuery<OverviewResult>('overview', refreshToken, input);
  const choose = (next: OverviewInput) => setSearch(searchFromRange(next));
  return (
    <div
      data-testid="ops-overview"
      data-loading={loading}
      data-range={data ? `${data.range.from}..${data.range.to}` : ''}
    >
      <RangePicker key={JSON.stringify(input)} value={input} onChange={choose} />
      <ErrorNote error={error} testId="ov-error" />
      {data ? <OverviewFigures data={data} refreshToken={refreshToken} /> : loading ? <p>Loading…</p> : null}
    </div>
  );
}

function OverviewFigures({ data, refreshToken }: { data: OverviewResult; refreshToken: string }) {
  const { range } = data;
  return (
    <>
      <p className="muted" data-testid="ov-range-shown">
        {range.from === range.to ? range.from : `${range.from} to ${range.to}`}, {range.timeZone}
        {data.truncated ? ` (figures cover the first ${data.rowsRead} rows of this range only)` : ''}
      </p>
      <Attention counts={data.attention} />
      <Revenue revenue={data.revenue} />
      <WebhookHealth health={data.webhooks} />
      <div className="columns">
        <section className="card" data-testid="ov-statuses">
          <h2>Purchases by status</h2>
          <DataTable
            rows={data.purchasesByStatus}
            rowKey={(s) => s.status}
            rowProps={(s) => ({ 'data-status': s.status })}
            label="Purchases by status"
            columns={[
              { header: 'Status', cell: (s) => <span className={`badge status-${s.status}`}>{s.status}</span> },
              { header: 'Purchases', num: true, cell: (s) => s.count },
            ]}
          />
        </section>
        <section className="card" data-testid="ov-credits">
          <h2>Credits</h2>
          <Figures
            items={[
              { key: 'sold', label: 'Sold', value: data.credits.sold },
              { key: 'spent', label: 'Spent', value: data.credits.spent },
              { key: 'clawedBack', label: 'Clawed back', value: data.credits.clawedBack },
              { key: 'outstanding', label: 'Outstanding at the end', value: data.credits.outstanding },
            ]}
          />
        </section>
      </div>
      <ReconcileRuns runs={data.reconcileRuns} />
      <Exports range={{ from: range.from, to: range.to, timeZone: range.timeZone }} refreshToken={refreshToken} />
    </>
  );
}
