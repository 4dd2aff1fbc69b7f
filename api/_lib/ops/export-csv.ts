// Exports for operators: purchases, ledger entries or the webhook log of a range of days (in the
// operator's time zone) as CSV, a page of rows at a time so a long range is never held in memory.
// Amounts are minor units beside their currency. A text cell that a spreadsheet would run as a
// formula (starting with = + - @, a tab or a carriage return: a buyer's email, a haiku topic in a
// ledger reason) is prefixed with `'`, and cells are quoted per RFC 4180.
import type { ExportInput } from '../../../contracts/ops.ts';
import { findProduct } from '../../../catalog/products.ts';
import { scanPages, type Row, type ScanOptions } from '../platform/scan.ts';
import { dayOf, zonedRange } from './zoned-time.ts';

type Column = [header: string, cell: (r: Row, timeZone: string) => unknown];

const iso = (v: unknown) => (v === undefined || v === null ? null : new Date(v as string | number).toISOString());
const field = (name: string): Column => [name, (r) => r[name]];
const at = (name: string): Column[] => [
  [name, (r) => iso(r[name])],
  ['day', (r, tz) => dayOf(new Date(r[name] as string | number).getTime(), tz)],
];

const TABLES: Record<ExportInput['what'], { scan: Omit<ScanOptions, 'from' | 'to'>; columns: Column[] }> = {
  purchases: {
    scan: { ns: 'purchases', field: 'createdAt' },
    columns: [
      ...at('createdAt'),
      ...['sessionId', 'paymentIntentId', 'status', 'email', 'productId'].map(field),
      ['title', (r) => findProduct(String(r.productId ?? ''))?.title ?? null],
      ...[
        'amount',
        'currency',
        'refundedAmount',
        'disputedAmount',
        'openDisputes',
        'pendingKind',
        'unfulfilledReason',
      ].map(field),
    ],
  },
  ledger: {
    scan: { ns: 'ledgerEntries', field: 'createdAt' },
    // Credits, not money: no currency.
    columns: [...at('createdAt'), ...['userId', 'amount', 'shortfall', 'reason', 'ref', 'sessionId'].map(field)],
  },
  webhooks: {
    scan: { ns: 'webhookEvents', field: 'receivedAt' },
    columns: [
      ...at('receivedAt'),
      ...['eventId', 'type', 'outcome', 'purchaseStatus', 'source', 'durationMs', 'sessionId', 'error'].map(field),
    ],
  },
};

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: numbers as they are, text defused against formulas and quoted when it must be. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

export type CsvExport = { filename: string; lines: AsyncIterable<string> };

/** Checks the range (a bad one throws its 400 here, before anything is sent), then streams. */
export function exportCsv({ what, from, to, timeZone }: ExportInput): CsvExport {
  const range = zonedRange(from, to, timeZone);
  const { scan, columns } = TABLES[what];
  async function* lines() {
    yield csvLine(columns.map(([header]) => header));
    for await (const page of scanPages({ ...scan, from: range.start, to: range.end }))
      for (const r of page) yield csvLine(columns.map(([, cell]) => cell(r, range.timeZone)));
  }
  return { filename: `${what}-${from}-to-${to}.csv`, lines: lines() };
}

/** The export as a streamed download. */
export function csvResponse({ filename, lines }: CsvExport): Response {
  const it = lines[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}
