import { lazy, Suspense } from 'react';
import { DataTable } from '../../DataTable.tsx';
import type { BarSeriesChartProps } from './BarSeriesChart.tsx';

// The chart library is fetched the first time a chart is drawn, never with the shop's first page.
const BarSeriesChart = lazy(() => import('./BarSeriesChart.tsx'));

/**
 * A chart and its figures as a table (under "Figures"), both named by the caption: the SVG is for
 * looking, the table for reading (screen readers, copying numbers). `tableRows` may leave out empty rows.
 */
export function ChartFigure<K extends string>({
  testId,
  tableRows,
  tableNote,
  ...chart
}: BarSeriesChartProps<K> & {
  testId: string;
  tableRows?: BarSeriesChartProps<K>['data'];
  tableNote?: string;
}) {
  const rows = tableRows ?? chart.data;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{chart.title}</figcaption>
      <div className="chart-area">
        <Suspense fallback={<p className="muted">Drawing…</p>}>
          <BarSeriesChart {...chart} />
        </Suspense>
      </div>
      <details>
        <summary>Figures</summary>
        {tableNote ? <p className="muted small">{tableNote}</p> : null}
        <DataTable
          rows={rows}
          rowKey={(r) => r.label}
          caption={chart.title}
          testId={`${testId}-figures`}
          columns={[
            { header: '', cell: (r) => r.label },
            ...chart.series.map((s) => ({
              header: s.name,
              num: true,
              cell: (r: (typeof rows)[number]) => chart.format(r[s.key]),
            })),
          ]}
        />
      </details>
    </figure>
  );
}
