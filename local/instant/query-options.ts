// Validation of a query's shape and its `$` options, with the messages Instant's server gives
// (instaql.clj `coerce-option-map!`, `assert-cursor!`, `coerce-order`): errors are
// `validation-failed` with `hint.errors` entries `{expected, in, message}`.
import { InstantLocalError } from './errors.ts';

/** A join row naming a position in an order: `[entity id, attr id, value, created_at]`. */
export type Cursor = [string, string, unknown, number] | [string, string, unknown];
export type Order = { label: string; dir: 'asc' | 'desc' };
export type PageOpts = {
  limit?: number;
  last: boolean;
  offset?: number;
  after?: Cursor;
  afterInclusive: boolean;
  before?: Cursor;
  beforeInclusive: boolean;
};
export type FormOpts = {
  where?: Record<string, unknown>;
  order?: Order;
  fields?: string[];
  page: PageOpts;
  /** A top-level form that orders or pages gets page info (upstream `page-info-of-form`). */
  paged: boolean;
};
type ErrorEntry = { expected: string; in: unknown[]; message?: string };

export function queryError(root: unknown, ...errors: ErrorEntry[]): InstantLocalError {
  const messages = errors.map((e) => e.message).filter((m): m is string => Boolean(m));
  const base = 'Validation failed for query';
  return new InstantLocalError('validation-failed', messages.length ? `${base}: ${messages.join(', ')}` : base, {
    'data-type': 'query',
    input: root,
    errors,
  });
}

const KNOWN = new Set([
  'where',
  'order',
  'limit',
  'first',
  'last',
  'offset',
  'before',
  'after',
  'beforeInclusive',
  'afterInclusive',
  'aggregate',
  'fields',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isObj = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null && v !== false;
const json = (v: unknown) => JSON.stringify(v) ?? 'null';

/** The body's `query` for `/admin/query`: missing or not an object is refused as upstream's `get-param!` does. */
export function queryParam(body: Record<string, unknown>): Record<string, unknown> {
  const q = body.query;
  if (q === undefined || q === null || q === false) {
    throw new InstantLocalError('param-missing', 'Missing parameter: [:body :query]', { in: ['body', 'query'] });
  }
  if (!isObj(q)) {
    throw new InstantLocalError('param-malformed', 'Malformed parameter: [:body :query]', {
      in: ['body', 'query'],
      'original-input': q,
    });
  }
  return q;
}

// parseOptions' checks of single options, as functions of their own (none is made per form).
function positiveOption(
  root: unknown,
  opts: Record<string, unknown>,
  here: unknown[],
  name: 'limit' | 'first' | 'last',
) {
  const v = opts[name];
  if (!present(v)) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  throw queryError(root, {
    expected: 'supported-options?',
    in: [...here, name],
    message: `The ${name} field must be a positive integer. Got ${json(v)}.`,
  });
}

function boolOption(
  root: unknown,
  opts: Record<string, unknown>,
  here: unknown[],
  name: 'afterInclusive' | 'beforeInclusive',
): boolean {
  const v = opts[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw queryError(root, {
      expected: 'boolean?',
      in: [...here, name],
      message: `\`${name}\` must be true or false.`,
    });
  return v;
}

export function parseOptions(root: unknown, raw: unknown, at: unknown[], level: number, admin: boolean): FormOpts {
  const opts = raw ?? {};
  const here = [...at, '$'];
  if (!isObj(opts)) throw queryError(root, { expected: 'map?', in: here });
  const limit = positiveOption(root, opts, here, 'limit');
  const first = positiveOption(root, opts, here, 'first');
  const last = positiveOption(root, opts, here, 'last');
  let offset: number | undefined;
  if (present(opts.offset)) {
    const v = opts.offset;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw queryError(root, {
        expected: 'supported-options?',
        in: [...here, 'offset'],
        message: `The offset field must be a non-negative integer. Got ${json(v)}.`,
      });
    }
    offset = v;
  }
  const after = present(opts.after) ? cursor(root, opts.after, [...here, 'after']) : undefined;
  const before = present(opts.before) ? cursor(root, opts.before, [...here, 'before']) : undefined;
  const afterInclusive = boolOption(root, opts, here, 'afterInclusive');
  const beforeInclusive = boolOption(root, opts, here, 'beforeInclusive');
  if (opts.fields !== undefined && (!Array.isArray(opts.fields) || opts.fields.some((f) => typeof f !== 'string'))) {
    throw queryError(root, {
      expected: 'array?',
      in: [...here, 'fields'],
      message: 'The `fields` property should be an array of field names.',
    });
  }
  const unknown = Object.keys(opts).filter((k) => !KNOWN.has(k));
  if (unknown.length) {
    throw queryError(root, {
      expected: 'supported-options?',
      in: here,
      message: 'We only support `where`, `order`, `limit`, `offset`, `before`, and `after` clauses.',
    });
  }
  if (level > 0 && (offset !== undefined || after || before)) {
    throw queryError(root, {
      expected: 'supported-options?',
      in: here,
      message:
        'We currently only support `offset`, `before`, and `after` clauses on the top-level field. Limit fields will be ignored',
    });
  }
  const limits = [limit && '`limit`', first && '`first`', last && '`last`'].filter(Boolean);
  if (limits.length > 1) {
    throw queryError(root, {
      expected: 'supported-options?',
      in: here,
      message: `Only provide one of ${limits.join(' or ')}.`,
    });
  }
  if (present(opts.aggregate)) {
    throw queryError(root, {
      expected: 'admin?',
      in: [...here, 'aggregate'],
      message: admin
        ? 'instant-local does not emulate aggregates.'
        : 'Aggregates are currently only available for admin queries.',
    });
  }
  let where: Record<string, unknown> | undefined;
  if (opts.where !== undefined && opts.where !== null) {
    checkWhere(root, opts.where, [...here, 'where']);
    where = opts.where as Record<string, unknown>;
  }
  const order = parseOrder(root, opts.order, [...here, 'order']);
  const page: PageOpts = {
    limit: limit ?? first ?? last,
    last: last !== undefined,
    offset,
    after,
    afterInclusive,
    before,
    beforeInclusive,
  };
  const paged = level === 0 && Boolean(limit || first || last || offset !== undefined || after || before || order);
  return { where, order, fields: opts.fields as string[] | undefined, page, paged };
}

function parseOrder(root: unknown, raw: unknown, at: unknown[]): Order | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) throw queryError(root, { expected: 'map?', in: at });
  const entries = Object.entries(raw);
  if (entries.length === 0) return undefined;
  if (entries.length > 1) {
    throw queryError(root, {
      expected: 'single-key?',
      in: at,
      message: `We only support a single key in the \`order\` clause. Got ${entries.map(([k]) => k).join(',')}.`,
    });
  }
  const [label, dir] = entries[0];
  if (dir !== 'asc' && dir !== 'desc') {
    throw queryError(root, {
      expected: 'valid-direction?',
      in: [...at, label],
      message: `We only support "asc" or "desc" in the \`order\` clause. Got ${json(dir)}.`,
    });
  }
  return { label, dir };
}

function cursor(root: unknown, x: unknown, at: unknown[]): Cursor {
  const err = (message: string) => queryError(root, { expected: 'join-row?', in: at, message });
  if (!Array.isArray(x)) throw err(`Expected a join row for the cursor, got ${json(x)}.`);
  if (x.length !== 3 && x.length !== 4) throw err(`Expected a join row with 4 items for the cursor, got ${json(x)}.`);
  const [e, a, v, t] = x;
  if (typeof a !== 'string' || !UUID.test(a)) {
    throw err(`Expected a join row with a uuid attribute id in the second position, got ${json(a)}.`);
  }
  if (t !== undefined && t !== null && !Number.isInteger(t)) {
    throw err(`Expected a join row with an integer created_at in the last position, got ${json(t)}.`);
  }
  return t === undefined || t === null ? [String(e), a, v] : [String(e), a, v, t as number];
}

const WHERE_OPS = new Set(['in', '$in', '$not', '$ne', '$isNull', '$gt', '$gte', '$lt', '$lte', '$like', '$ilike']);
const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The shape of a where clause (instaql.clj `::where-cond` specs): scalars or operator maps, non-empty and/or lists. */
function checkWhere(root: unknown, where: unknown, at: unknown[]) {
  if (!isObj(where)) throw queryError(root, { expected: 'map?', in: at });
  for (const [k, v] of Object.entries(where)) {
    const here = [...at, k];
    if (k === 'or' || k === 'and') {
      if (!Array.isArray(v))
        throw queryError(root, { expected: 'vector?', in: here, message: `\`${k}\` takes a list of where clauses.` });
      if (v.length === 0)
        throw queryError(root, {
          expected: 'non-empty-list?',
          in: here,
          message: `The list of \`${k}\` conditions can't be empty.`,
        });
      v.forEach((c, n) => checkWhere(root, c, [...here, n]));
      continue;
    }
    if (scalar(v)) continue;
    if (!isObj(v)) {
      throw queryError(root, {
        expected: 'where-value-valid?',
        in: here,
        message: `\`${k}\` takes a string, number, boolean or an operator map, got ${json(v)}.`,
      });
    }
    const unknown = Object.keys(v).filter((op) => !WHERE_OPS.has(op));
    if (unknown.length) {
      throw queryError(root, {
        expected: 'where-value-valid-keys?',
        in: here,
        message: `Unknown operator ${unknown.map((o) => `\`${o}\``).join(', ')} for \`${k}\`; use one of ${[...WHERE_OPS].join(', ')}.`,
      });
    }
    for (const [op, arg] of Object.entries(v)) {
      if (op === 'in' || op === '$in') {
        if (!Array.isArray(arg) || !arg.every((x) => x === null || scalar(x))) {
          throw queryError(root, {
            expected: 'vector?',
            in: [...here, op],
            message: `\`${op}\` takes a list of values.`,
          });
        }
      } else if (op === '$isNull') {
        if (typeof arg !== 'boolean')
          throw queryError(root, {
            expected: 'boolean?',
            in: [...here, op],
            message: '`$isNull` takes true or false.',
          });
      } else if (!scalar(arg)) {
        throw queryError(root, {
          expected: 'where-value-valid?',
          in: [...here, op],
          message: `\`${op}\` takes a string, number or boolean, got ${json(arg)}.`,
        });
      }
    }
  }
}
