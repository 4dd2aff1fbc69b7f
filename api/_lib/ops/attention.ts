// What needs an operator's attention, each a list the overview counts and /ops/attention/<kind>
// pages through: paid purchases of an unknown type (with the reason), receipts that failed,
// delayed payments still pending after a day, and purchases with an open dispute. All read from
// Instant (the purchase's derived fields, fulfillment/derived-fields.ts), never from Stripe.
import type { AttentionCount, AttentionKind, AttentionPage, FoundPurchase } from '../../../contracts/ops.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { toFoundPurchase, type Purchase, type Receipt } from './found-purchase.ts';
import { decodeCursor, encodeCursor, scanAll, scanPage, type ScanOptions } from '../platform/scan.ts';

const DAY_MS = 86_400_000;
/** The most rows one count reads; a longer list shows this many (and the overview says truncated). */
const ATTENTION_CAP = 1000;

export const ATTENTION_KINDS = [
  'unfulfilled',
  'failed-receipts',
  'stale-pending',
  'open-disputes',
] as const satisfies readonly AttentionKind[];

function listOf(kind: AttentionKind, now: number): ScanOptions {
  switch (kind) {
    case 'unfulfilled':
      return { ns: 'purchases', field: 'createdAt', where: { unfulfilledReason: { $isNull: false } } };
    case 'failed-receipts':
      return { ns: 'receipts', field: 'createdAt', where: { status: 'failed' } };
    case 'stale-pending':
      return { ns: 'purchases', field: 'createdAt', to: now - DAY_MS, where: { pendingKind: 'async-payment' } };
    case 'open-disputes':
      return { ns: 'purchases', field: 'createdAt', where: { openDisputes: { $gt: 0 } } };
  }
}

const attentionHref = (kind: AttentionKind) => `/ops/attention/${kind}`;

export async function attentionCounts(
  now = Date.now(),
  cap = ATTENTION_CAP,
): Promise<{ counts: AttentionCount[]; rowsRead: number; truncated: boolean }> {
  let rowsRead = 0;
  let truncated = false;
  const counts = await Promise.all(
    ATTENTION_KINDS.map(async (kind): Promise<AttentionCount> => {
      const fields = kind === 'unfulfilled' ? ['unfulfilledReason'] : ['id'];
      const read = await scanAll({ ...listOf(kind, now), fields, direction: 'desc' }, cap);
      rowsRead += read.rows.length;
      truncated ||= read.truncated;
      const count: AttentionCount = { kind, count: read.rows.length, href: attentionHref(kind) };
      if (kind !== 'unfulfilled') return count;
      const reasons = new Map<string, number>();
      for (const r of read.rows)
        reasons.set(String(r.unfulfilledReason), (reasons.get(String(r.unfulfilledReason)) ?? 0) + 1);
      return {
        ...count,
        reasons: [...reasons].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count),
      };
    }),
  );
  return { counts, rowsRead, truncated };
}

/** One page of a list, newest first; `nextCursor` continues it. */
export async function attentionPage(
  { kind, cursor, limit = 50 }: { kind: AttentionKind; cursor?: string; limit?: number },
  now = Date.now(),
): Promise<AttentionPage> {
  const after = cursor ? decodeCursor(cursor) : null;
  const { rows, next } = await scanPage({ ...listOf(kind, now), direction: 'desc', pageSize: limit }, after);
  const db = adminDb();
  const sessionIds = rows.map((r) => String(r.sessionId));
  // The page's rows are purchases, or for failed receipts the receipts: read the other half.
  const [purchases, receipts] = !sessionIds.length
    ? [[], []]
    : kind === 'failed-receipts'
      ? [
          (await db.query({ purchases: { $: { where: { sessionId: { $in: sessionIds } } } } })).purchases,
          rows as unknown as Receipt[],
        ]
      : [
          rows as unknown as Purchase[],
          (await db.query({ receipts: { $: { where: { sessionId: { $in: sessionIds } } } } })).receipts,
        ];
  const purchaseOf = new Map(purchases.map((p) => [p.sessionId, p]));
  const receiptOf = new Map(receipts.map((r) => [r.sessionId, r]));
  const found: FoundPurchase[] = sessionIds.flatMap((s) => {
    const p = purchaseOf.get(s);
    return p ? [toFoundPurchase(p, receiptOf.get(s))] : [];
  });
  return { kind, rows: found, nextCursor: next ? encodeCursor(next) : null };
}
