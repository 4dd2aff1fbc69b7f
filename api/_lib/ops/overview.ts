// The operator overview: sales, credits, webhook health, what needs attention and the last
// reconcile runs for a range of days in the operator's time zone. Computed here from Instant
// alone (no Stripe call per page load: refunds and disputes are the purchases' derived fields),
// aggregated on the server, reading at most `cap` rows per list (`truncated` says when a range
// held more). Amounts are per currency, never added across currencies.
import type {
  CurrencyRevenue,
  OverviewInput,
  OverviewResult,
  PurchaseKind,
  RevenueFigures,
  WebhookHealth,
} from '../../../contracts/ops.ts';
import { findProduct } from '../../../catalog/products.ts';
import { WAS_PAID, type PurchaseStatus } from '../fulfillment/purchase-status.ts';
import { HttpError } from '../platform/http.ts';
import { attentionCounts } from './attention.ts';
import { lastRuns } from './drift-report.ts';
import { purchaseKind } from './found-purchase.ts';
import { readCreditFigures } from './ledger-figures.ts';
import { WEBHOOK_LOG_TTL_MS } from './prune.ts';
import { scanAll } from '../platform/scan.ts';
import { dayOf, hourOf, hoursBetween, lastDays, zonedRange, type ZonedRange } from './zoned-time.ts';

/** Rows one overview reads from each list at most. */
const OVERVIEW_CAP = 5000;

function rangeOf(input: OverviewInput, now = Date.now()): ZonedRange {
  switch (input.range) {
    case 'today':
      return lastDays(1, input.timeZone, now);
    case '7d':
      return lastDays(7, input.timeZone, now);
    case '30d':
      return lastDays(30, input.timeZone, now);
    case 'custom':
      if (!input.from || !input.to)
        throw new HttpError(400, 'A custom range needs `from` and `to` (YYYY-MM-DD, inclusive).');
      return zonedRange(input.from, input.to, input.timeZone);
  }
}

export type PurchaseRow = {
  status: string;
  productId?: string | null;
  amount?: number | null;
  currency?: string | null;
  refundedAmount?: number | null;
  disputedAmount?: number | null;
  createdAt: number | string;
};

const ms = (v: number | string) => new Date(v).getTime();
const zero = (): RevenueFigures => ({ gross: 0, refunded: 0, disputed: 0, net: 0 });

/** What a paid purchase brought in; one written before its derived fields counts its status. */
function revenueOf(p: PurchaseRow): RevenueFigures {
  const gross = p.amount ?? 0;
  const refunded = p.refundedAmount ?? (p.status === 'refunded' ? gross : 0);
  const disputed = p.disputedAmount ?? (p.status === 'disputed' ? gross : 0);
  return { gross, refunded, disputed, net: gross - refunded - disputed };
}

function add(into: RevenueFigures, f: RevenueFigures) {
  into.gross += f.gross;
  into.refunded += f.refunded;
  into.disputed += f.disputed;
  into.net += f.net;
}

const KIND_ORDER: PurchaseKind[] = ['wallpapers', 'download', 'credits', 'plan', 'unknown'];

/** Revenue per currency, by the day of the sale, kind and product; every day of the range present. */
export function revenueFigures(purchases: PurchaseRow[], days: string[], timeZone: string): CurrencyRevenue[] {
  const byCurrency = new Map<
    string,
    {
      total: RevenueFigures;
      perDay: Map<string, RevenueFigures>;
      byKind: Map<PurchaseKind, RevenueFigures & { count: number }>;
      byProduct: Map<string, RevenueFigures & { count: number; kind: PurchaseKind }>;
    }
  >();
  for (const p of purchases) {
    if (!WAS_PAID.has(p.status as PurchaseStatus)) continue;
    const currency = (p.currency ?? 'usd').toLowerCase();
    let c = byCurrency.get(currency);
    if (!c) {
      c = { total: zero(), perDay: new Map(days.map((d) => [d, zero()])), byKind: new Map(), byProduct: new Map() };
      byCurrency.set(currency, c);
    }
    const f = revenueOf(p);
    const kind = purchaseKind(p.productId);
    const productId = p.productId ?? '(none)';
    add(c.total, f);
    const day = c.perDay.get(dayOf(ms(p.createdAt), timeZone));
    if (day) add(day, f);
    const k = c.byKind.get(kind) ?? { ...zero(), count: 0 };
    add(k, f);
    k.count++;
    c.byKind.set(kind, k);
    const pr = c.byProduct.get(productId) ?? { ...zero(), count: 0, kind };
    add(pr, f);
    pr.count++;
    c.byProduct.set(productId, pr);
  }
  return [...byCurrency]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, c]) => ({
      currency,
      ...c.total,
      perDay: [...c.perDay].map(([day, f]) => ({ day, ...f })),
      byKind: [...c.byKind]
        .map(([kind, f]) => ({ kind, ...f }))
        .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)),
      byProduct: [...c.byProduct]
        .map(([productId, f]) => ({ productId, title: findProduct(productId)?.title ?? productId, ...f }))
        .sort((a, b) => b.gross - a.gross || (a.productId < b.productId ? -1 : 1)),
    }));
}

export type WebhookRow = { outcome: string; durationMs: number; receivedAt: number | string };

const FAILED = new Set(['failed', 'rejected']);

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function webhookHealth(
  rows: WebhookRow[],
  covered: { start: number; end: number; partial: boolean },
  timeZone: string,
  lastDeliveryAt: number | null,
): WebhookHealth {
  const perHour = new Map(
    hoursBetween(covered.start, covered.end, timeZone).map((h) => [h, { deliveries: 0, failures: 0 }]),
  );
  let failures = 0;
  for (const r of rows) {
    const failed = FAILED.has(r.outcome);
    if (failed) failures++;
    const h = perHour.get(hourOf(ms(r.receivedAt), timeZone));
    if (h) {
      h.deliveries++;
      if (failed) h.failures++;
    }
  }
  const durations = rows.map((r) => r.durationMs).sort((a, b) => a - b);
  return {
    coveredFrom: new Date(covered.start).toISOString(),
    partial: covered.partial,
    deliveries: rows.length,
    failures,
    medianMs: percentile(durations, 50),
    p95Ms: percentile(durations, 95),
    lastDeliveryAt: lastDeliveryAt === null ? null : new Date(lastDeliveryAt).toISOString(),
    perHour: [...perHour].map(([hour, n]) => ({ hour, ...n })),
  };
}

export async function overview(
  input: OverviewInput,
  { now = Date.now(), cap = OVERVIEW_CAP }: { now?: number; cap?: number } = {},
): Promise<OverviewResult> {
  const range = rangeOf(input, now);
  const { start, end, timeZone } = range;
  // The log is kept 30 days (prune.ts): an older start is covered only from there, and says so.
  const logFrom = Math.max(start, now - WEBHOOK_LOG_TTL_MS);
  const covered = { start: Math.min(logFrom, end), end, partial: logFrom > start };
  const [purchases, credits, webhooks, latestDelivery, attention, reconcileRuns] = await Promise.all([
    scanAll(
      {
        ns: 'purchases',
        field: 'createdAt',
        from: start,
        to: end,
        fields: ['status', 'productId', 'amount', 'currency', 'refundedAmount', 'disputedAmount', 'createdAt'],
      },
      cap,
    ),
    readCreditFigures(start, end, cap),
    scanAll(
      {
        ns: 'webhookEvents',
        field: 'receivedAt',
        from: covered.start,
        to: end,
        fields: ['outcome', 'durationMs', 'receivedAt'],
      },
      cap,
    ),
    scanAll({ ns: 'webhookEvents', field: 'receivedAt', direction: 'desc', pageSize: 1, fields: ['receivedAt'] }, 1),
    attentionCounts(now),
    lastRuns(),
  ]);
  const statusCounts = new Map<string, number>();
  for (const p of purchases.rows) statusCounts.set(String(p.status), (statusCounts.get(String(p.status)) ?? 0) + 1);
  const last = latestDelivery.rows[0];
  const read = [purchases, webhooks, latestDelivery];
  return {
    range: { from: range.from, to: range.to, timeZone, days: range.days },
    revenue: revenueFigures(purchases.rows as unknown as PurchaseRow[], range.days, timeZone),
    purchasesByStatus: [...statusCounts]
      .map(([status, count]) => ({ status, count }))
      .sort((a, b) => b.count - a.count || (a.status < b.status ? -1 : 1)),
    credits: credits.figures,
    webhooks: webhookHealth(
      webhooks.rows as unknown as WebhookRow[],
      covered,
      timeZone,
      last ? ms(last.receivedAt as string) : null,
    ),
    attention: attention.counts,
    reconcileRuns,
    truncated: [purchases, credits, webhooks].some((r) => r.truncated) || attention.truncated,
    rowsRead:
      read.reduce((n, r) => n + r.rows.length, 0) + credits.rowsRead + attention.rowsRead + reconcileRuns.length,
  };
}
