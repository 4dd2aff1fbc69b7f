// Ordering and cursor pagination of a top-level query, as Instant's server does it
// (instaql.clj `page-info-of-form`, datalog.clj `add-page-info`): rows ordered by the order value
// (nulls first ascending) then by entity id; `after`/`before` cursors are join rows
// `[e, a, v, t]`; `last` takes the rows nearest the end; page info carries the first and last row
// of the page as cursors and whether rows exist past either end.
import type { Attr, AttrCatalog } from './attrs.ts';
import { queryError } from './query-options.ts';
import type { Cursor, Order, PageOpts } from './query-options.ts';
import type { Entity } from './triple-store.ts';
export type PageInfo = {
  'start-cursor': Cursor | null;
  'end-cursor': Cursor | null;
  'has-next-page?': boolean;
  'has-previous-page?': boolean;
};

/** The client SDK sorts strings with this collator; the server agrees so windows line up. */
const collator = new Intl.Collator('en-US');

type Keyed = { e: Entity; v: unknown };

export class Ordering {
  readonly attr: Attr;
  private readonly idAttrId: string;
  private readonly byCreated: boolean;
  private readonly date: boolean;

  constructor(
    readonly etype: string,
    readonly order: Order,
    catalog: AttrCatalog,
    root: unknown,
    at: unknown[],
  ) {
    this.byCreated = order.label === 'serverCreatedAt';
    const attr = this.byCreated ? catalog.idAttr(etype) : catalog.field(etype, order.label);
    if (!attr) {
      const what = this.byCreated ? 'id' : order.label;
      throw queryError(root, {
        expected: 'supported-order?',
        in: [...at, '$', 'order'],
        message: `There is no \`${what}\` attribute for ${etype}.`,
      });
    }
    if (!this.byCreated) {
      const name = `${etype}.${order.label}`;
      const problems = [
        !attr['index?'] &&
          `The \`${name}\` attribute is not indexed. Only indexed and typed attributes can be used to order by.`,
        !attr['checked-data-type'] &&
          `The \`${name}\` attribute is not typed. Only typed and indexed attributes can be used to order by.`,
      ].filter((m): m is string => Boolean(m));
      if (problems.length) {
        throw queryError(
          root,
          ...problems.map((message) => ({ expected: 'supported-order?', in: [...at, '$', 'order'], message })),
        );
      }
    }
    this.attr = attr;
    this.idAttrId = catalog.idAttr(etype)?.id ?? attr.id;
    this.date = attr['checked-data-type'] === 'date';
  }

  /** The value an entity sorts by: its id triple's creation time, or the order attribute. */
  valueOf(e: Entity): unknown {
    const f = e.fields.get(this.attr.id);
    if (this.byCreated) return f?.t ?? 0;
    return this.comparable(f?.v);
  }

  private comparable(v: unknown): unknown {
    if (v === undefined || v === null) return null;
    return this.date ? toMillis(v) : v;
  }

  /** Ascending comparison of (value, id) pairs; the direction is applied by the caller. */
  compare(a: { v: unknown; id: string }, b: { v: unknown; id: string }): number {
    const c = compareValues(a.v, b.v);
    return c !== 0 ? c : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  sorted(list: Entity[], dir: 'asc' | 'desc'): Keyed[] {
    const sign = dir === 'desc' ? -1 : 1;
    return list
      .map((e) => ({ e, v: this.valueOf(e) }))
      .sort((a, b) => sign * this.compare({ v: a.v, id: a.e.id }, { v: b.v, id: b.e.id }));
  }

  cursorOf(e: Entity): Cursor {
    const f = e.fields.get(this.attr.id);
    if (this.byCreated) return [e.id, this.attr.id, e.id, f?.t ?? 0];
    // An entity without the value still has a place (first ascending): `[e, a, null, t]`.
    return [e.id, this.attr.id, f?.v ?? null, f?.t ?? e.fields.get(this.idAttrId)?.t ?? 0];
  }

  /** Position of a row against a cursor in the order's direction: > 0 means after it. */
  vsCursor(row: Keyed, cursor: Cursor): number {
    const [ce, , cv, ct] = cursor;
    const cursorValue = this.byCreated ? (ct ?? 0) : this.comparable(cv);
    const c = this.compare({ v: row.v, id: row.e.id }, { v: cursorValue, id: String(ce) });
    return this.order.dir === 'desc' ? -c : c;
  }
}

function toMillis(v: unknown): number | null {
  const ms = typeof v === 'number' ? v : new Date(String(v)).getTime();
  return Number.isNaN(ms) ? null : ms;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Whether a row lies inside the page's cursors. */
function inWindow(ordering: Ordering, opts: PageOpts, r: Keyed): boolean {
  if (opts.after) {
    const c = ordering.vsCursor(r, opts.after);
    if (opts.afterInclusive ? c < 0 : c <= 0) return false;
  }
  if (opts.before) {
    const c = ordering.vsCursor(r, opts.before);
    if (opts.beforeInclusive ? c > 0 : c >= 0) return false;
  }
  return true;
}

/** Whether any row (ignoring the cursors) lies past the page's last (sign 1) / before its first (-1) row. */
function beyond(ordering: Ordering, all: Keyed[], r: Keyed | undefined, sign: 1 | -1): boolean {
  if (!r) return false;
  const at: Cursor = ordering.cursorOf(r.e);
  return all.some((x) => sign * ordering.vsCursor(x, at) > 0);
}

/**
 * One page of `list` (already filtered to what the viewer may see) and its page info. The caller
 * sends the page info only for a top-level form that orders or pages (upstream `page-info-of-form`).
 */
export function paginate(ordering: Ordering, list: Entity[], opts: PageOpts): { page: Entity[]; info: PageInfo } {
  const { dir } = ordering.order;
  const all = ordering.sorted(list, dir);
  const window = opts.after || opts.before ? all.filter((r) => inWindow(ordering, opts, r)) : all;
  const offset = opts.offset ?? 0;
  let page: Keyed[];
  let overfetched: boolean;
  if (opts.last) {
    // Taken from the end of the window, delivered in the requested order.
    const reversed = window.slice().reverse().slice(offset);
    page = (opts.limit === undefined ? reversed : reversed.slice(0, opts.limit)).reverse();
    overfetched = opts.limit !== undefined && reversed.length > opts.limit;
  } else {
    const rest = window.slice(offset);
    page = opts.limit === undefined ? rest : rest.slice(0, opts.limit);
    overfetched = opts.limit !== undefined && rest.length > opts.limit;
  }
  const first = page[0];
  const last = page[page.length - 1];
  let hasNext: boolean;
  if (opts.limit === undefined && !opts.before) hasNext = false;
  else if (opts.limit !== undefined && !opts.before && !opts.last) hasNext = overfetched;
  else hasNext = beyond(ordering, all, last, 1);
  let hasPrev: boolean;
  if (!opts.after && offset === 0 && !opts.last) hasPrev = false;
  else if (opts.last && opts.limit !== undefined && !opts.after) hasPrev = overfetched;
  else hasPrev = beyond(ordering, all, first, -1);
  // An empty page past an offset or a cursor still has pages before it (datalog.clj).
  if (!page.length && (offset > 0 || opts.after)) hasPrev = true;
  return {
    page: page.map((r) => r.e),
    info: {
      'start-cursor': first ? ordering.cursorOf(first.e) : null,
      'end-cursor': last ? ordering.cursorOf(last.e) : null,
      'has-next-page?': hasNext,
      'has-previous-page?': hasPrev,
    },
  };
}
