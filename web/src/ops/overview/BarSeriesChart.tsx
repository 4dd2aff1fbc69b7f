// recharts: maintained (3.x, monthly releases), React 19 peer, draws plain SVG that tests and
// screen readers can read. Only this module imports it, and only lazily (ChartFigure), so it loads on /ops.
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

export type Series<K extends string> = { key: K; name: string; color: string };

export type BarSeriesChartProps<K extends string> = {
  /** One point per category (a day, an hour), oldest first. */
  data: ({ label: string } & Record<K, number>)[];
  series: Series<K>[];
  /** The chart's accessible name (the SVG's <title>). */
  title: string;
  format: (n: number) => string;
};

/** Grouped bars, one series per figure; each series' bars carry `series-<key>` for tests. */
export default function BarSeriesChart<K extends string>({ data, series, title, format }: BarSeriesChartProps<K>) {
  return (
    <BarChart responsive width="100%" height={220} data={data} title={title} margin={{ left: 8, right: 8 }}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
      <YAxis tickFormatter={format} tick={{ fontSize: 11 }} width={64} allowDecimals={false} />
      <Tooltip formatter={(v) => format(Number(v))} />
      <Legend itemSorter={null} />
      {series.map((s) => (
        <Bar
          key={s.key}
          dataKey={s.key}
          name={s.name}
          fill={s.color}
          className={`series-${s.key}`}
          maxBarSize={48}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}
