import type { CurrencyRevenue, RevenueFigures } from '../../../../contracts/ops.ts';
import { DataTable } from '../../DataTable.tsx';
import { money } from '../../format.ts';
import { ChartFigure } from './ChartFigure.tsx';
import { Figures } from './Figures.tsx';
import type { Series } from './BarSeriesChart.tsx';

const FIGURES: Series<keyof RevenueFigures>[] = [
  { key: 'gross', name: 'Gross', color: '#635bff' },
  { key: 'refunded', name: 'Refunded', color: '#f5a623' },
  { key: 'disputed', name: 'Disputed', color: '#c0123c' },
  { key: 'net', name: 'Net', color: '#2e9e5b' },
];

const KIND_LABEL: Record<string, string> = {
  wallpapers: 'Wallpaper packs',
  download: 'Downloads',
  credits: 'Credits',
  plan: 'Plans',
  unknown: 'Unknown type',
};

/** Sales of one currency grouped by kind or by product: count and the four figures per group. */
function GroupTable<R extends RevenueFigures & { count: number }>({
  rows,
  group,
  keyOf,
  labelOf,
  currency,
}: {
  rows: R[];
  group: 'kind' | 'product';
  keyOf: (r: R) => string;
  labelOf: (r: R) => string;
  currency: string;
}) {
  return (
    <DataTable
      rows={rows}
      rowKey={keyOf}
      rowProps={(r) => ({ [`data-${group}`]: keyOf(r) })}
      caption={`By ${group}, ${currency.toUpperCase()}`}
      testId={`ov-revenue-${currency}-${group}s`}
      columns={[
        { header: group === 'kind' ? 'Kind' : 'Product', cell: labelOf },
        { header: 'Sales', num: true, cell: (r) => r.count },
        ...FIGURES.map((f) => ({ header: f.name, num: true, cell: (r: R) => money(r[f.key], currency) })),
      ]}
    />
  );
}

/** One currency's revenue: totals, per day as a chart, and by kind and by product. Never summed across currencies. */
function CurrencyRevenueCard({ r }: { r: CurrencyRevenue }) {
  const cur = r.currency.toUpperCase();
  const format = (n: number) => money(n, r.currency);
  return (
    <section className="card" data-testid={`ov-revenue-${r.currency}`} aria-labelledby={`ov-revenue-${r.currency}-h`}>
      <h3 id={`ov-revenue-${r.currency}-h`}>Revenue in {cur}</h3>
      <Figures items={FIGURES.map((f) => ({ key: f.key, label: f.name, value: format(r[f.key]) }))} />
      <ChartFigure
        testId={`ov-revenue-${r.currency}-chart`}
        title={`Revenue per day, ${cur}`}
        data={r.perDay.map((d) => ({ ...d, label: d.day }))}
        series={FIGURES}
        format={format}
      />
      <GroupTable
        rows={r.byKind}
        group="kind"
        keyOf={(k) => k.kind}
        labelOf={(k) => KIND_LABEL[k.kind] ?? k.kind}
        currency={r.currency}
      />
      <GroupTable
        rows={r.byProduct}
        group="product"
        keyOf={(p) => p.productId}
        labelOf={(p) => p.title}
        currency={r.currency}
      />
    </section>
  );
}

export function Revenue({ revenue }: { revenue: CurrencyRevenue[] }) {
  return (
    <section data-testid="ov-revenue">
      <h2>Revenue</h2>
      {revenue.length === 0 ? <p className="muted">No sales in this range.</p> : null}
      <div className="revenue-cards">
        {revenue.map((r) => (
          <CurrencyRevenueCard key={r.currency} r={r} />
        ))}
      </div>
    </section>
  );
}
