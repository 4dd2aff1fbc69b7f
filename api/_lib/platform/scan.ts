// Reads the rows of one namespace in a time range, a page at a time, ordered by an indexed date
// (then by id, as Instant orders ties). A page continues after the last row seen (its time and
// id), not at an offset, so rows added or removed meanwhile never shift what comes next. Every
// read that could grow with the shop (the overview, attention lists, exports, reconcile's backfill,
// a legacy ledger's sum) goes through here.
import { HttpError } from './http.ts';
import { adminDb } from './instant-admin.ts';

export type Row = Record<string, unknown> & { id: string };

export type ScanOptions = {
  ns: 'purchases' | 'receipts' | 'ledgerEntries' | 'webhookEvents' | 'reconcileRuns';
  /** An indexed date attribute of `ns`. */
  field: string;
  /** Inclusive lower and exclusive upper bound, epoch ms. */
  from?: number;
  to?: number;
  where?: Record<string, unknown>;
  direction?: 'asc' | 'desc';
  pageSize?: number;
  fields?: string[];
};

/** Where a page ended: the time and id of its last row. */
export type Position = { at: number; id: string };

const PAGE = 500;

type Db = ReturnType<typeof adminDb>;

async function query(db: Db, ns: string, $: Record<string, unknown>): Promise<Row[]> {
  // One query shape for every namespace; the typed builder cannot take a computed key.
  const q = { [ns]: { $ } } as unknown as Parameters<Db['query']>[0];
  return ((await db.query(q)) as Record<string, Row[] | undefined>)[ns] ?? [];
}

const millis = (v: unknown) => (typeof v === 'number' ? v : new Date(String(v)).getTime());

/** One page after `after` (or from the start): the rows and, when more may follow, where they ended. */
export async function scanPage(
  o: ScanOptions,
  after: Position | null,
): Promise<{ rows: Row[]; next: Position | null }> {
  const db = adminDb();
  const { ns, field, direction = 'asc', pageSize = PAGE } = o;
  const asc = direction === 'asc';
  const bounds = [
    ...(o.from !== undefined ? [{ [field]: { $gte: o.from } }] : []),
    ...(o.to !== undefined ? [{ [field]: { $lt: o.to } }] : []),
  ];
  const base = { ...o.where };
  const select = o.fields ? { fields: [...new Set([...o.fields, field])] } : {};
  const rows: Row[] = [];
  if (after) {
    // Rows at the same instant as the last one seen, beyond it by id (usually none).
    const ties = await query(db, ns, { where: { ...base, [field]: after.at }, ...select });
    rows.push(
      ...ties
        .filter((r) => (asc ? r.id > after.id : r.id < after.id))
        .sort((a, b) => (a.id < b.id ? -1 : 1) * (asc ? 1 : -1)),
    );
  }
  const beyond = after ? [{ [field]: asc ? { $gt: after.at } : { $lt: after.at } }] : [];
  const and = [...bounds, ...beyond];
  const more = await query(db, ns, {
    where: { ...base, ...(and.length ? { and } : {}) },
    order: { [field]: direction },
    limit: pageSize + 1,
    ...select,
  });
  rows.push(...more);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return { rows: page, next: rows.length > pageSize && last ? { at: millis(last[field]), id: last.id } : null };
}

/** Every row of the range, a page at a time; stops after `cap` rows (`truncated` then says so). */
export async function scanAll(o: ScanOptions, cap = Infinity): Promise<{ rows: Row[]; truncated: boolean }> {
  const rows: Row[] = [];
  let after: Position | null = null;
  do {
    const page: { rows: Row[]; next: Position | null } = await scanPage(
      { ...o, pageSize: Math.min(o.pageSize ?? PAGE, cap - rows.length) },
      after,
    );
    rows.push(...page.rows);
    after = page.next;
  } while (after && rows.length < cap);
  return { rows, truncated: after !== null };
}

export async function* scanPages(o: ScanOptions): AsyncGenerator<Row[]> {
  let after: Position | null = null;
  do {
    const page: { rows: Row[]; next: Position | null } = await scanPage(o, after);
    if (page.rows.length) yield page.rows;
    after = page.next;
  } while (after);
}

/** An opaque cursor for a page's end, and back. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // falls through to the answer below
  }
  throw new HttpError(400, '`cursor` must be the `nextCursor` of an earlier page, unchanged.');
}
