import type { CurrencyRevenue, RevenueFigures } from '../../../../contracts/ops.ts';
import { DataTable, type Column } from '../../DataTable.tsx';
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

/** Count and the four figures of a group of sales (a kind, a product), in one currency. */
function groupColumns<R extends RevenueFigures & { count: number }>(first: Column<R>, currency: string): Column<R>[] {
  return [
    first,
    { header: 'Sales', num: true, cell: (r) => r.count },
    ...FIGURES.map((f) => ({ header: f.name, num: true, cell: (r: R) => money(r[f.key], currency) })),
  ];
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
      <DataTable
        rows={r.byKind}
        rowKey={(k) => k.kind}
        rowProps={(k) => ({ 'data-kind': k.kind })}
        caption={`By kind, ${cur}`}
        testId={`ov-revenue-${r.currency}-kinds`}
        columns={groupColumns<CurrencyRevenue['byKind'][number]>(
          { header: 'Kind', cell: (k) => KIND_LABEL[k.kind] ?? k.kind },
          r.currency,
        )}
      />
      <DataTable
        rows={r.byProduct}
        rowKey={(p) => p.productId}
        rowProps={(p) => ({ 'data-product': p.productId })}
        caption={`By product, ${cur}`}
        testId={`ov-revenue-${r.currency}-products`}
        columns={groupColumns<CurrencyRevenue['byProduct'][number]>(
          { header: 'Product', cell: (p) => p.title },
          r.currency,
        )}
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
