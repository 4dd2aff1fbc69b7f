import type { WebhookHealth as Health } from '../../../../contracts/ops.ts';
import { when } from '../../format.ts';
import type { Series } from './BarSeriesChart.tsx';
import { ChartFigure } from './ChartFigure.tsx';
import { Figures } from './Figures.tsx';

const SERIES: Series<'deliveries' | 'failures'>[] = [
  { key: 'deliveries', name: 'Deliveries', color: '#635bff' },
  { key: 'failures', name: 'Failures', color: '#c0123c' },
];

const ms = (n: number | null) => (n === null ? '—' : `${n} ms`);
const count = (n: number) => String(n);

/** `YYYY-MM-DDTHH` as `HH:00`, with the day in front when the range spans more than one. */
const hourLabel = (hour: string, oneDay: boolean) => `${oneDay ? '' : `${hour.slice(5, 10)} `}${hour.slice(11)}:00`;

/** Deliveries and failures per hour, handler times and the last delivery; says where the 30-day log stops. */
export function WebhookHealth({ health }: { health: Health }) {
  const oneDay = new Set(health.perHour.map((h) => h.hour.slice(0, 10))).size <= 1;
  const data = health.perHour.map((h) => ({ ...h, label: hourLabel(h.hour, oneDay) }));
  return (
    <section className="card" data-testid="ov-webhooks" data-partial={health.partial}>
      <h2>Webhook health</h2>
      {health.partial ? (
        <p className="notice" data-testid="ov-webhooks-partial">
          The webhook log keeps 30 days: these figures cover only {when(health.coveredFrom)} onwards, not the whole
          range.
        </p>
      ) : null}
      <Figures
        items={[
          { key: 'deliveries', label: 'Deliveries', value: health.deliveries },
          { key: 'failures', label: 'Failures', value: health.failures },
          { key: 'median', label: 'Median handler time', value: ms(health.medianMs) },
          { key: 'p95', label: 'p95 handler time', value: ms(health.p95Ms) },
          { key: 'last', label: 'Last delivery', value: when(health.lastDeliveryAt) },
        ]}
      />
      <ChartFigure
        testId="ov-webhooks-chart"
        title="Webhook deliveries and failures per hour"
        data={data}
        series={SERIES}
        format={count}
        tableRows={data.filter((h) => h.deliveries > 0 || h.failures > 0)}
        tableNote="Hours without deliveries are left out."
      />
    </section>
  );
}
