// The overview's aggregation as pure functions of plain rows: revenue per currency and day
// (purchases written before the derived fields count by their status), and webhook health.
import { describe, expect, it } from 'vitest';
import { revenueFigures, webhookHealth, type PurchaseRow } from './overview.ts';
import { startOfDay } from './zoned-time.ts';

const TZ = 'Europe/Paris';
const at = (iso: string) => Date.parse(iso);

describe('revenueFigures', () => {
  const rows: PurchaseRow[] = [
    // 23:30 UTC on the 1st is the 2nd in Paris.
    {
      status: 'paid',
      productId: 'field-guide',
      amount: 300,
      currency: 'usd',
      refundedAmount: 50,
      disputedAmount: 0,
      createdAt: at('2026-02-01T23:30:00Z'),
    },
    {
      status: 'refunded',
      productId: 'wallpapers-warm',
      amount: 500,
      currency: 'usd',
      createdAt: at('2026-02-01T10:00:00Z'),
    },
    {
      status: 'disputed',
      productId: 'plan-medium',
      amount: 1500,
      currency: 'USD',
      createdAt: at('2026-02-02T10:00:00Z'),
    },
    {
      status: 'pending',
      productId: 'wallpapers-all',
      amount: 1200,
      currency: 'usd',
      createdAt: at('2026-02-02T10:00:00Z'),
    },
    {
      status: 'paid',
      productId: 'credits-small',
      amount: 450,
      currency: 'eur',
      refundedAmount: 0,
      disputedAmount: 0,
      createdAt: at('2026-02-03T10:00:00Z'),
    },
  ];

  it('keeps currencies apart, counts only what was paid, and fills every day', () => {
    const [eur, usd] = revenueFigures(rows, ['2026-02-01', '2026-02-02', '2026-02-03'], TZ);
    expect(usd).toMatchObject({ currency: 'usd', gross: 2300, refunded: 550, disputed: 1500, net: 250 });
    expect(usd.perDay).toEqual([
      { day: '2026-02-01', gross: 500, refunded: 500, disputed: 0, net: 0 },
      { day: '2026-02-02', gross: 1800, refunded: 50, disputed: 1500, net: 250 },
      { day: '2026-02-03', gross: 0, refunded: 0, disputed: 0, net: 0 },
    ]);
    expect(eur).toMatchObject({ currency: 'eur', gross: 450, net: 450, byKind: [{ kind: 'credits', count: 1 }] });
    expect(eur.perDay.map((d) => d.gross)).toEqual([0, 0, 450]);
  });
});

describe('webhookHealth', () => {
  it('gives deliveries and failures per hour, the median and p95 handler time, and the last delivery', () => {
    const start = startOfDay('2026-02-01', TZ);
    const rows = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000].map((durationMs, i) => ({
      durationMs,
      outcome: i === 9 ? 'failed' : i === 8 ? 'rejected' : 'fulfilled',
      receivedAt: start + (i < 5 ? 0 : 3_600_000 + i),
    }));
    const h = webhookHealth(rows, { start, end: start + 3 * 3_600_000, partial: false }, TZ, start + 42);
    expect(h).toMatchObject({ deliveries: 10, failures: 2, medianMs: 50, p95Ms: 1000, partial: false });
    expect(h.lastDeliveryAt).toBe(new Date(start + 42).toISOString());
    expect(h.perHour).toEqual([
      { hour: '2026-02-01T00', deliveries: 5, failures: 0 },
      { hour: '2026-02-01T01', deliveries: 5, failures: 2 },
      { hour: '2026-02-01T02', deliveries: 0, failures: 0 },
    ]);
    expect(webhookHealth([], { start, end: start, partial: true }, TZ, null)).toMatchObject({
      deliveries: 0,
      medianMs: null,
      p95Ms: null,
      lastDeliveryAt: null,
      perHour: [],
    });
  });
});
