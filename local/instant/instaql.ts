// Runs an InstaQL query against the store with permissions applied, and renders the result the
// two ways Instant's server does: as triples for the client SDK (which re-runs the query locally
// over them, so every triple that a `where` needs is included) and as a JSON tree for the admin SDK.
import type { Attr, AttrCatalog } from './attrs.ts';
import type { AuthUser, Permissions } from './permissions.ts';
import { Budget, formDepth, QUERY_LIMITS, queryTooCostly } from './query-cost.ts';
import { isObj, parseOptions, queryError, type FormOpts } from './query-options.ts';
import { Ordering, paginate, type PageInfo } from './query-page.ts';
import type { Entity, TripleStore } from './triple-store.ts';

export type Access = { admin: boolean; user: AuthUser; ruleParams: Record<string, unknown> };
export type Triple = [string, string, unknown, number];
type Form = { $?: unknown; [label: string]: unknown };
/** `size` counts the entities of the subtree as rendered (a shared node counts once per occurrence). */
type Node = { entity: Entity; fields: Record<string, unknown>; children: Record<string, Node[]>; size: number };

/** A query's triples, each once, in the order they were first reached. */
export class TripleSet {
  // By entity, then attribute (then, for a link, the linked id): no key string per triple.
  private readonly fields = new Map<string, Set<string>>();
  private readonly links = new Map<string, Map<string, Set<string>>>();
  private readonly list: Triple[] = [];

  get size(): number {
    return this.list.length;
  }

  /** Adds `t` unless it is there already (a field by entity and attribute, a link also by its target). */
  add(t: Triple, link: boolean): boolean {
    const [e, a] = t;
    if (link) {
      let byAttr = this.links.get(e);
      if (!byAttr) this.links.set(e, (byAttr = new Map()));
      let targets = byAttr.get(a);
      if (!targets) byAttr.set(a, (targets = new Set()));
      if (targets.has(t[2] as string)) return false;
      targets.add(t[2] as string);
    } else {
      let attrs = this.fields.get(e);
      if (!attrs) this.fields.set(e, (attrs = new Set()));
      if (attrs.has(a)) return false;
      attrs.add(a);
    }
    this.list.push(t);
    return true;
  }

  values(): IterableIterator<Triple> {
    return this.list.values();
  }
}

export type QueryResult = {
  roots: Record<string, Node[]>;
  triples: TripleSet;
  pageInfo: Record<string, PageInfo>;
};

export class QueryRunner {
  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
  ) {}

  run(q: unknown, access: Access): QueryResult {
    if (!isObj(q)) throw queryError(q, { expected: 'map?', in: [] });
    for (const [etype, form] of Object.entries(q)) {
      const depth = etype === '$$ruleParams' ? 0 : formDepth(form);
      if (depth > QUERY_LIMITS.maxDepth) throw queryTooCostly('maxDepth', depth);
    }
    const out: QueryResult = { roots: {}, triples: new TripleSet(), pageInfo: {} };
    const ctx = new RunContext(this.catalog, this.store, this.perms, access, out.triples, q);
    for (const [etype, form] of Object.entries(q)) {
      if (etype === '$$ruleParams') continue;
      if (!isObj(form)) throw queryError(q, { expected: 'map?', in: [etype] });
      const opts = parseOptions(q, form.$, [etype], 0, access.admin);
      if (!this.catalog.idAttr(etype)) {
        out.roots[etype] = [];
        continue;
      }
      const { nodes, pageInfo } = ctx.top(etype, form, opts);
      out.roots[etype] = nodes;
      if (pageInfo) out.pageInfo[etype] = pageInfo;
    }
    return out;
  }
}

class RunContext {
  private readonly viewCache = new Map<string, boolean>();
  private readonly budget = new Budget();
  private readonly forms = new Map<object, { opts: FormOpts; ordering: Ordering }>();
  private readonly rendered = new Map<string, Record<string, unknown>>();
  private readonly nodes = new Map<object, Map<string, Node>>();
  private readonly paths = new Map<string, string[]>();

  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
    private readonly access: Access,
    private readonly triples: TripleSet,
    private readonly root: unknown,
  ) {}

  top(etype: string, form: Form, opts: FormOpts): { nodes: Node[]; pageInfo?: PageInfo } {
    const list = this.filter(etype, this.candidates(etype, opts.where), opts.where, [etype]);
    const ordering = new Ordering(etype, opts.order ?? DEFAULT_ORDER, this.catalog, this.root, [etype]);
    for (const which of ['after', 'before'] as const) {
      const c = opts.page[which];
      if (c && c[1] !== ordering.attr.id) {
        throw queryError(this.root, {
          expected: 'valid-cursor?',
          in: [etype, '$', which],
          message: `Invalid ${which} cursor. ${this.wrongCursorAttr(ordering, c[1])}`,
        });
      }
    }
    const { page, info } = paginate(ordering, list, opts.page);
    const nodes = page.map((e) => this.node(e, form, opts.fields, [etype], 0));
    return { nodes, pageInfo: opts.paged ? info : undefined };
  }

  private wrongCursorAttr(ordering: Ordering, cursorAttrId: string): string {
    const label = (a: Attr) => (a['forward-identity'][2] === 'id' ? 'serverCreatedAt' : a['forward-identity'][2]);
    const cursorAttr = this.catalog.byId.get(cursorAttrId);
    const theirs = cursorAttr ? `orders by \`${label(cursorAttr)}\`` : 'orders by a missing attribute';
    return `The query orders by \`${label(ordering.attr)}\`, but the query that returned the cursor ${theirs}.`;
  }

  /**
   * An equality on an indexed (or unique) field narrows the scan to the index's entities. Dates
   * are left to the scan: an indexed date matches an ISO string and epoch millis alike.
   */
  private candidates(etype: string, where: unknown): Iterable<Entity> {
    if (isObj(where)) {
      for (const [label, cond] of Object.entries(where)) {
        if (label.includes('.') || cond === null || typeof cond === 'object') continue;
        const attr = this.catalog.field(etype, label);
        if (!attr || attr['checked-data-type'] === 'date') continue;
        if (attr['unique?'] && label !== 'id') {
          const hit = this.store.byUnique(attr, cond);
          return hit ? [this.store.get(etype, hit)].filter((e): e is Entity => Boolean(e)) : [];
        }
        if (label === 'id') {
          const e = this.store.get(etype, String(cond));
          return e ? [e] : [];
        }
        const ids = this.store.byIndexed(attr, cond);
        if (ids) return [...ids].map((x) => this.store.get(etype, x)).filter((e): e is Entity => Boolean(e));
      }
    }
    return this.store.all(etype);
  }

  private node(e: Entity, form: Form, fields: string[] | undefined, at: unknown[], level: number): Node {
    // The same entity under the same form renders the same subtree: build it once, share it, and
    // charge the budget for every occurrence (what the answer's tree holds).
    let byId = this.nodes.get(form);
    if (!byId) this.nodes.set(form, (byId = new Map()));
    const hit = byId.get(e.id);
    if (hit) {
      this.budget.visit(hit.size);
      return hit;
    }
    this.budget.visit();
    const own = this.emitEntity(e, fields);
    const children: Record<string, Node[]> = {};
    for (const [label, sub] of Object.entries(form)) {
      if (label === '$') continue;
      const here = [...at, label];
      if (!isObj(sub)) throw queryError(this.root, { expected: 'map?', in: here });
      const found = this.catalog.find(e.etype, label);
      // An unknown link answers nothing under its parents (upstream instaql_test missing-attrs).
      if (!found) {
        children[label] = [];
        continue;
      }
      if (found.attr['value-type'] !== 'ref') {
        throw queryError(this.root, {
          expected: 'valid-link?',
          in: here,
          message: `\`${e.etype}.${label}\` is not a link`,
        });
      }
      const { attr, reverse } = found;
      const targetEtype = reverse ? attr['forward-identity'][1] : attr['reverse-identity']![1];
      const { opts, ordering } = this.childForm(sub, targetEtype, here, level + 1);
      const linked: Entity[] = [];
      for (const id of this.store.linked(attr, e.id, reverse).keys()) {
        const t = this.store.get(targetEtype, id);
        if (t) linked.push(t);
      }
      const list = this.filter(targetEtype, linked, opts.where, here);
      children[label] = ordering.sorted(list, ordering.order.dir).map(({ e: t }) => {
        this.emitLink(attr, reverse ? t : e, reverse ? e : t);
        return this.node(t, sub, opts.fields, here, level + 1);
      });
    }
    let size = 1;
    for (const kids of Object.values(children)) for (const k of kids) size += k.size;
    const n = { entity: e, fields: own, children, size };
    byId.set(e.id, n);
    return n;
  }

  /** A nested form's options, parsed once per form (not once per parent entity). */
  private childForm(sub: Form, etype: string, at: unknown[], level: number) {
    let parsed = this.forms.get(sub);
    if (!parsed) {
      // Child limits are applied by the client only (upstream ignores them on the server).
      const opts = parseOptions(this.root, sub.$, at, level, this.access.admin);
      parsed = { opts, ordering: new Ordering(etype, opts.order ?? DEFAULT_ORDER, this.catalog, this.root, at) };
      this.forms.set(sub, parsed);
    }
    return parsed;
  }

  // ---- visibility (a rule that fails to evaluate raises; it is never swallowed here)

  visible(e: Entity): boolean {
    if (this.access.admin) return true;
    const key = `${e.etype}\u0000${e.id}`;
    let v = this.viewCache.get(key);
    if (v === undefined) {
      v = this.perms.check(this.perms.program(e.etype, 'view'), this.access.user, {
        data: e,
        ruleParams: this.access.ruleParams,
      });
      this.viewCache.set(key, v);
    }
    return v;
  }

  fieldVisible(e: Entity, label: string): boolean {
    if (this.access.admin || label === 'id') return true;
    const p = this.perms.fieldProgram(e.etype, label);
    return this.perms.check(p, this.access.user, { data: e, ruleParams: this.access.ruleParams });
  }

  // ---- triples

  private emitEntity(e: Entity, only?: string[]): Record<string, unknown> {
    // An entity reached again (nested forms revisit entities) renders the same; reuse it.
    const key = only ? `${e.id}\u0000${only.join('\u0000')}` : e.id;
    const seen = this.rendered.get(key);
    if (seen) return seen;
    const obj: Record<string, unknown> = {};
    this.rendered.set(key, obj);
    for (const [attrId, { v, t }] of e.fields) {
      const attr = this.catalog.byId.get(attrId);
      if (!attr) continue;
      const label = attr['forward-identity'][2];
      if (only && label !== 'id' && !only.includes(label)) continue;
      if (!this.fieldVisible(e, label)) continue;
      obj[label] = v;
      this.emit([e.id, attrId, v, t]);
    }
    if (!('id' in obj)) obj.id = e.id;
    return obj;
  }

  private emitField(e: Entity, label: string) {
    const attr = this.catalog.field(e.etype, label);
    const f = attr && e.fields.get(attr.id);
    if (attr && f) this.emit([e.id, attr.id, f.v, f.t]);
  }

  private emitLink(attr: Attr, from: Entity, to: Entity) {
    const t = this.store.linked(attr, from.id, false).get(to.id) ?? 0;
    this.emit([from.id, attr.id, to.id, t]);
    this.emitField(from, 'id');
    this.emitField(to, 'id');
  }

  private emit(t: Triple) {
    // A field has one value per entity; a link triple's value is the linked id.
    const link = typeof t[2] === 'string' && this.catalog.byId.get(t[1])?.['value-type'] === 'ref';
    if (!this.triples.add(t, link)) return;
    this.budget.triples(this.triples.size);
  }

  // ---- where

  private filter(etype: string, candidates: Iterable<Entity>, where: unknown, at: unknown[]): Entity[] {
    const out: Entity[] = [];
    // Not charged to the budget: a scan is linear in the data; the budget is for what nesting multiplies.
    for (const e of candidates) {
      if (!this.visible(e)) continue;
      if (where !== undefined && !this.matches(e, where as Record<string, unknown>, at)) continue;
      out.push(e);
    }
    return out;
  }

  /** Whether `e` satisfies a where clause (shape checked by `checkWhere`); emits the triples of the path that made it match. */
  private matches(e: Entity, where: Record<string, unknown>, at: unknown[]): boolean {
    for (const [key, cond] of Object.entries(where)) {
      if (key === 'and' || key === 'or') {
        const results = (cond as Record<string, unknown>[]).map((c) => this.matches(e, c, at));
        if (key === 'and' ? !results.every(Boolean) : !results.some(Boolean)) return false;
        continue;
      }
      let path = this.paths.get(key);
      if (!path) this.paths.set(key, (path = key.split('.')));
      if (!this.matchPath(e, path, 0, cond, at, key)) return false;
    }
    return true;
  }

  /** `path[i…]` from `e`; `at` and `key` only name the clause in errors. */
  private matchPath(e: Entity, path: string[], i: number, cond: unknown, at: unknown[], key: string): boolean {
    const label = path[i];
    const last = i === path.length - 1;
    const found = label === 'id' ? undefined : this.catalog.find(e.etype, label);
    // A where on an unknown attribute matches nothing (upstream instaql_test missing-attrs).
    if (label !== 'id' && !found) return false;
    if (label === 'id' || found!.attr['value-type'] === 'blob') {
      if (!last)
        throw queryError(this.root, {
          expected: 'valid-path?',
          in: [...at, '$', 'where', key],
          message: `\`${label}\` is not a link`,
        });
      if (!this.fieldVisible(e, label)) return false; // a where on a hidden field drops the entity
      const attr = label === 'id' ? this.catalog.idAttr(e.etype)! : found!.attr;
      const value = label === 'id' ? e.id : this.store.value(e, label);
      const ok = testValue(attr, value, cond, this.root);
      if (ok) this.emitField(e, label);
      return ok;
    }
    const { attr, reverse } = found!;
    const targetEtype = reverse ? attr['forward-identity'][1] : attr['reverse-identity']![1];
    const targets: Entity[] = [];
    for (const id of this.store.linked(attr, e.id, reverse).keys()) {
      this.budget.visit();
      const t = this.store.get(targetEtype, id);
      if (t && this.visible(t)) targets.push(t);
    }
    const link = (t: Entity) => this.emitLink(attr, reverse ? t : e, reverse ? e : t);
    // `$not`/`$ne` (like `$isNull: true`) also match where the path ends early: the client SDK ORs
    // the negation with an `$isNull` at every step of the path.
    const negated = isObj(cond) && ('$not' in cond || '$ne' in cond || cond.$isNull === true);
    if (last) {
      // A where on a link label compares the linked ids.
      if (isObj(cond) && '$isNull' in cond) return (targets.length === 0) === Boolean(cond.$isNull);
      checkLinkValue(this.root, label, cond, [...at, '$', 'where', key]);
      if (negated && targets.length === 0) return true;
      const hits = targets.filter((t) => testValue(this.catalog.idAttr(targetEtype)!, t.id, cond, this.root));
      hits.forEach(link);
      return hits.length > 0;
    }
    if (negated && targets.length === 0) return true;
    let any = false;
    for (const t of targets) {
      if (this.matchPath(t, path, i + 1, cond, at, key)) {
        link(t);
        any = true;
      }
    }
    return any;
  }
}

const DEFAULT_ORDER = { label: 'serverCreatedAt', dir: 'asc' } as const;

/** A where on a link compares entity ids, so its values must be uuids (upstream: `uuid?`). */
function checkLinkValue(root: unknown, label: string, cond: unknown, at: unknown[]) {
  const uuid = (v: unknown) => typeof v === 'string' && UUID.test(v);
  if (!isObj(cond)) {
    if (!uuid(cond))
      throw queryError(root, {
        expected: 'uuid?',
        in: at,
        message: `Expected ${label} to be a uuid, got ${JSON.stringify(cond)}`,
      });
    return;
  }
  for (const op of ['$not', '$ne'] as const) {
    if (op in cond && !uuid(cond[op])) {
      throw queryError(root, {
        expected: 'uuid?',
        in: at,
        message: `Expected ${label} to be a uuid, got ${JSON.stringify(cond)}`,
      });
    }
  }
  const list = cond.$in ?? cond.in;
  if (Array.isArray(list)) {
    const bad = list.find((v) => !uuid(v));
    if (bad !== undefined) {
      throw queryError(root, {
        expected: 'uuid?',
        in: at,
        message: `Expected ${label} to match on a uuid, found ${JSON.stringify(bad)} in ${JSON.stringify(list)}`,
      });
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function likeRegex(pattern: unknown, caseSensitive: boolean): RegExp | null {
  if (typeof pattern !== 'string') return null;
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, caseSensitive ? 's' : 'is');
}

const millis = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? new Date(v).getTime() : NaN);

/** Comparisons and `$like` need an indexed, typed attribute (upstream attr_pat.clj). */
function assertComparable(attr: Attr, root: unknown) {
  const name = `${attr['forward-identity'][1]}.${attr['forward-identity'][2]}`;
  if (!attr['index?']) {
    throw queryError(root, {
      expected: 'indexed?',
      in: [],
      message: `The \`${name}\` attribute must be indexed to use comparison operators.`,
    });
  }
  if (!attr['checked-data-type']) {
    throw queryError(root, {
      expected: 'checked-data-type?',
      in: [],
      message: `The \`${name}\` attribute must have an enforced type to use comparison operators.`,
    });
  }
}

/**
 * One value against one where condition, with the operators the client SDK sends. An indexed
 * date compares as a point in time (an ISO string equals the same instant in epoch millis);
 * an unindexed one matches its stored value exactly (instaql_test equality-on-dates-*).
 */
function testValue(attr: Attr, value: unknown, cond: unknown, root: unknown): boolean {
  const date = attr['checked-data-type'] === 'date';
  const asTime = date && attr['index?'];
  if (!isObj(cond)) return sameValue(value, cond, asTime);
  if ('$in' in cond || 'in' in cond) {
    const list = (cond.$in ?? cond.in) as unknown[];
    return Array.isArray(list) && list.some((x) => sameValue(value, x, asTime));
  }
  if ('$not' in cond || '$ne' in cond) return !sameValue(value, cond.$not ?? cond.$ne, asTime);
  if ('$isNull' in cond) return (value === undefined || value === null) === Boolean(cond.$isNull);
  if ('$gt' in cond) return compareValue(attr, root, value, cond.$gt, (a, b) => a > b);
  if ('$gte' in cond) return compareValue(attr, root, value, cond.$gte, (a, b) => a >= b);
  if ('$lt' in cond) return compareValue(attr, root, value, cond.$lt, (a, b) => a < b);
  if ('$lte' in cond) return compareValue(attr, root, value, cond.$lte, (a, b) => a <= b);
  if ('$like' in cond || '$ilike' in cond) {
    assertComparable(attr, root);
    const re = likeRegex(cond.$like ?? cond.$ilike, '$like' in cond);
    return Boolean(re && typeof value === 'string' && re.test(value));
  }
  return false; // unreachable: checkWhere admits only the operators above
}

// testValue's parts as functions of their own: none is made per value tested.
function sameValue(a: unknown, b: unknown, asTime: boolean | undefined): boolean {
  return (
    a !== undefined &&
    a !== null &&
    (a === b || Boolean(asTime && b !== null && !Number.isNaN(millis(a)) && millis(a) === millis(b)))
  );
}

function compareValue(
  attr: Attr,
  root: unknown,
  value: unknown,
  bound: unknown,
  fn: (a: number | string, b: number | string) => boolean,
): boolean {
  assertComparable(attr, root);
  if (value === undefined || value === null) return false;
  const date = attr['checked-data-type'] === 'date';
  const a = date ? millis(value) : (value as number);
  const b = date ? millis(bound) : (bound as number);
  return typeof a === typeof b && fn(a, b);
}

/** The admin SDK's JSON tree; with schema inference a has-one link is an object, not a list. */
export function toJsonTree(result: QueryResult, catalog: AttrCatalog, inference: boolean): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [k, nodes] of Object.entries(result.roots)) out[k] = nodes.map((n) => renderNode(n, catalog, inference));
  return out;
}

function renderNode(n: Node, catalog: AttrCatalog, inference: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { ...n.fields };
  for (const [label, kids] of Object.entries(n.children)) {
    const found = catalog.find(n.entity.etype, label);
    const one = found && (found.reverse ? found.attr['unique?'] : found.attr.cardinality === 'one');
    o[label] =
      inference && one
        ? kids[0]
          ? renderNode(kids[0], catalog, inference)
          : undefined
        : kids.map((k) => renderNode(k, catalog, inference));
  }
  return o;
}

/** The client SDK's wire result: one node whose join rows carry every visible triple. */
export function toWireResult(result: QueryResult) {
  return [
    {
      data: {
        'datalog-result': { 'join-rows': [[...result.triples.values()]] },
        'page-info': Object.keys(result.pageInfo).length ? result.pageInfo : undefined,
      },
      'child-nodes': [],
    },
  ];
}
