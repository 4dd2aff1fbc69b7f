// Runs an InstaQL query against the store with permissions applied, and renders the result the
// two ways Instant's server does: as triples for the client SDK (which re-runs the query locally
// over them, so every triple that a `where` needs is included) and as a JSON tree for the admin SDK.
import type { Attr, AttrCatalog } from './attrs.ts';
import { InstantLocalError, validationError } from './errors.ts';
import type { AuthUser, Permissions } from './permissions.ts';
import type { Entity, TripleStore } from './triple-store.ts';

export type Access = { admin: boolean; user: AuthUser; ruleParams: Record<string, unknown> };
export type Triple = [string, string, unknown, number];
type Form = { $?: QueryOpts; [label: string]: Form | QueryOpts | undefined };
type QueryOpts = {
  where?: Record<string, unknown>;
  order?: Record<string, 'asc' | 'desc'>;
  limit?: number;
  first?: number;
  last?: number;
  offset?: number;
  fields?: string[];
};
type Node = { entity: Entity; fields: Record<string, unknown>; children: Record<string, Node[]> };
type PageInfo = Record<string, { 'start-cursor': Triple | null; 'end-cursor': Triple | null; 'has-next-page?': boolean; 'has-previous-page?': boolean }>;

export type QueryResult = { roots: Record<string, Node[]>; triples: Map<string, Triple>; pageInfo: PageInfo };

export class QueryRunner {
  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
  ) {}

  run(q: Record<string, unknown>, access: Access): QueryResult {
    if (!q || typeof q !== 'object' || Array.isArray(q)) throw validationError('query', q, ['Query must be an object']);
    const out: QueryResult = { roots: {}, triples: new Map(), pageInfo: {} };
    const ctx = new RunContext(this.catalog, this.store, this.perms, access, out.triples);
    for (const [etype, form] of Object.entries(q)) {
      if (etype === '$$ruleParams') continue;
      if (!form || typeof form !== 'object') throw validationError('query', q, [`\`${etype}\` must be an object`]);
      if (!this.catalog.idAttr(etype)) {
        out.roots[etype] = [];
        continue;
      }
      const { nodes, pageInfo } = ctx.top(etype, form as Form);
      out.roots[etype] = nodes;
      if (pageInfo) out.pageInfo[etype] = pageInfo;
    }
    return out;
  }
}

class RunContext {
  private readonly viewCache = new Map<string, boolean>();

  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
    private readonly access: Access,
    private readonly triples: Map<string, Triple>,
  ) {}

  top(etype: string, form: Form) {
    const opts = form.$ ?? {};
    let list = this.filter(etype, this.candidates(etype, opts.where), opts.where);
    list = this.sort(etype, list, opts.order);
    const offset = nonNegInt(opts.offset, 'offset') ?? 0;
    const limit = nonNegInt(opts.limit ?? opts.first ?? opts.last, 'limit');
    const paged = list.slice(offset, limit === undefined ? undefined : offset + limit);
    const nodes = paged.map((e) => this.node(e, form));
    const orderAttr = this.orderCursorAttr(etype, opts.order);
    const cursor = (e: Entity | undefined): Triple | null => {
      if (!e) return null;
      const f = e.fields.get(orderAttr.id);
      return [e.id, orderAttr.id, orderAttr['forward-identity'][2] === 'id' ? e.id : (f?.v ?? null), f?.t ?? 0];
    };
    const pageInfo =
      limit !== undefined || offset > 0
        ? {
            'start-cursor': cursor(paged[0]),
            'end-cursor': cursor(paged[paged.length - 1]),
            'has-next-page?': offset + paged.length < list.length,
            'has-previous-page?': offset > 0,
          }
        : undefined;
    return { nodes, pageInfo };
  }

  /** An equality on an indexed (or unique) field narrows the scan to the index's entities. */
  private candidates(etype: string, where: unknown): Iterable<Entity> {
    if (isObj(where)) {
      for (const [label, cond] of Object.entries(where)) {
        if (label.includes('.') || cond === null || typeof cond === 'object') continue;
        const attr = this.catalog.field(etype, label);
        if (!attr) continue;
        if (attr['unique?'] && label !== 'id') {
          const hit = this.store.byUnique(attr, cond);
          return hit ? [this.store.get(etype, hit)].filter((e): e is Entity => Boolean(e)) : [];
        }
        const ids = label === 'id' ? new Set([String(cond)]) : this.store.byIndexed(attr, cond);
        if (ids) return [...ids].map((x) => this.store.get(etype, x)).filter((e): e is Entity => Boolean(e));
      }
    }
    return this.store.all(etype);
  }

  private node(e: Entity, form: Form): Node {
    const fields = this.emitEntity(e, form.$?.fields);
    const children: Record<string, Node[]> = {};
    for (const [label, sub] of Object.entries(form)) {
      if (label === '$' || !sub || typeof sub !== 'object') continue;
      const found = this.catalog.find(e.etype, label);
      if (!found || found.attr['value-type'] !== 'ref') {
        throw validationError('query', form, [`\`${e.etype}\` has no link named \`${label}\``]);
      }
      const { attr, reverse } = found;
      const targetEtype = reverse ? attr['forward-identity'][1] : attr['reverse-identity']![1];
      const subForm = sub as Form;
      const linked: Entity[] = [];
      for (const id of this.store.linked(attr, e.id, reverse).keys()) {
        const t = this.store.get(targetEtype, id);
        if (t) linked.push(t);
      }
      let list = this.filter(targetEtype, linked, subForm.$?.where);
      list = this.sort(targetEtype, list, subForm.$?.order);
      children[label] = list.map((t) => {
        this.emitLink(attr, reverse ? t : e, reverse ? e : t);
        return this.node(t, subForm);
      });
    }
    return { entity: e, fields, children };
  }

  // ---- visibility

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
    const obj: Record<string, unknown> = {};
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
    this.triples.set(`${t[0]}\u0000${t[1]}\u0000${JSON.stringify(t[2])}`, t);
  }

  // ---- where

  private filter(etype: string, candidates: Iterable<Entity>, where: unknown): Entity[] {
    const out: Entity[] = [];
    for (const e of candidates) {
      if (!this.visible(e)) continue;
      if (where !== undefined && !this.matches(e, where)) continue;
      out.push(e);
    }
    return out;
  }

  /** Whether `e` satisfies a where clause; emits the triples of the path that made it match. */
  private matches(e: Entity, where: unknown): boolean {
    if (!where || typeof where !== 'object' || Array.isArray(where)) {
      throw validationError('query', where, ['`where` must be an object']);
    }
    for (const [key, cond] of Object.entries(where as Record<string, unknown>)) {
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(cond)) throw validationError('query', where, [`\`${key}\` takes a list of clauses`]);
        const results = cond.map((c) => this.matches(e, c));
        if (key === 'and' ? !results.every(Boolean) : !results.some(Boolean)) return false;
        continue;
      }
      if (!this.matchPath(e, key.split('.'), cond)) return false;
    }
    return true;
  }

  private matchPath(e: Entity, path: string[], cond: unknown): boolean {
    const [label, ...rest] = path;
    const found = label === 'id' ? undefined : this.catalog.find(e.etype, label);
    if (label !== 'id' && !found) {
      throw validationError('query', { [path.join('.')]: cond }, [`\`${e.etype}\` has no attribute \`${label}\``]);
    }
    if (label === 'id' || found!.attr['value-type'] === 'blob') {
      if (rest.length) throw validationError('query', path, [`\`${label}\` is not a link`]);
      if (!this.fieldVisible(e, label)) return false; // a where on a hidden field drops the entity
      const attr = label === 'id' ? this.catalog.idAttr(e.etype)! : found!.attr;
      const value = label === 'id' ? e.id : this.store.value(e, label);
      const ok = testValue(attr, value, cond);
      if (ok) this.emitField(e, label);
      return ok;
    }
    const { attr, reverse } = found!;
    const targetEtype = reverse ? attr['forward-identity'][1] : attr['reverse-identity']![1];
    const targets: Entity[] = [];
    for (const id of this.store.linked(attr, e.id, reverse).keys()) {
      const t = this.store.get(targetEtype, id);
      if (t && this.visible(t)) targets.push(t);
    }
    const link = (t: Entity) => this.emitLink(attr, reverse ? t : e, reverse ? e : t);
    if (rest.length === 0) {
      // A where on a link label compares the linked ids.
      if (isObj(cond) && '$isNull' in cond) return (targets.length === 0) === Boolean(cond.$isNull);
      const hits = targets.filter((t) => testValue(this.catalog.idAttr(targetEtype)!, t.id, cond));
      hits.forEach(link);
      return hits.length > 0;
    }
    if (isObj(cond) && cond.$isNull === true && targets.length === 0) return true;
    let any = false;
    for (const t of targets) {
      if (this.matchPath(t, rest, cond)) {
        link(t);
        any = true;
      }
    }
    return any;
  }

  // ---- order

  private sort(etype: string, list: Entity[], order: QueryOpts['order']): Entity[] {
    const entries = order ? Object.entries(order) : [];
    if (entries.length > 1) throw validationError('query', order, ['`order` takes one attribute']);
    const [label, dir] = entries[0] ?? ['serverCreatedAt', 'asc'];
    if (dir !== 'asc' && dir !== 'desc') throw validationError('query', order, ['order direction must be asc or desc']);
    let key: (e: Entity) => unknown;
    if (label === 'serverCreatedAt') {
      const idAttr = this.catalog.idAttr(etype)!;
      key = (e) => e.fields.get(idAttr.id)?.t ?? 0;
    } else {
      const attr = this.catalog.field(etype, label);
      if (!attr) throw validationError('query', order, [`\`${etype}\` has no attribute \`${label}\` to order by`]);
      if (!attr['index?'] || !attr['checked-data-type']) {
        throw validationError('query', order, [
          `The \`${etype}.${label}\` attribute must be indexed and typed to use it with \`order\`.`,
        ]);
      }
      const date = attr['checked-data-type'] === 'date';
      key = (e) => {
        const v = e.fields.get(attr.id)?.v;
        return date && v != null ? new Date(v as string).getTime() : v;
      };
    }
    const sign = dir === 'desc' ? -1 : 1;
    return list
      .map((e) => ({ e, k: key(e) }))
      .sort((a, b) => sign * (compareValues(a.k, b.k) || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0)))
      .map((x) => x.e);
  }

  private orderCursorAttr(etype: string, order: QueryOpts['order']): Attr {
    const label = order ? Object.keys(order)[0] : undefined;
    return (label && label !== 'serverCreatedAt' && this.catalog.field(etype, label)) || this.catalog.idAttr(etype)!;
  }
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

function nonNegInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw validationError('query', v, [`\`${name}\` must be a non-negative integer`]);
  }
  return v;
}

function likeRegex(pattern: unknown, caseSensitive: boolean): RegExp | null {
  if (typeof pattern !== 'string') return null;
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, caseSensitive ? 's' : 'is');
}

/** One value against one where condition, with the operators the client SDK sends. */
export function testValue(attr: Attr, value: unknown, cond: unknown): boolean {
  if (!isObj(cond)) return value !== undefined && value !== null && value === cond;
  const date = attr['checked-data-type'] === 'date';
  const cmp = (op: string, fn: (a: number | string, b: number | string) => boolean) => {
    if (!attr['index?']) {
      const [, etype, label] = attr['forward-identity'];
      throw new InstantLocalError('validation-failed', `The \`${etype}.${label}\` attribute must be indexed to use comparison operators like ${op}.`, {
        'data-type': 'query',
        input: cond,
        errors: [{ message: `${etype}.${label} is not indexed` }],
      });
    }
    if (value === undefined || value === null) return false;
    const a = date ? new Date(value as string).getTime() : (value as number);
    const b = date ? new Date(cond[op] as string).getTime() : (cond[op] as number);
    return typeof a === typeof b && fn(a, b);
  };
  if ('$in' in cond || 'in' in cond) {
    const list = (cond.$in ?? cond.in) as unknown[];
    return Array.isArray(list) && list.some((x) => x === value);
  }
  if ('$not' in cond || '$ne' in cond) return value !== (cond.$not ?? cond.$ne);
  if ('$isNull' in cond) return (value === undefined || value === null) === Boolean(cond.$isNull);
  if ('$gt' in cond) return cmp('$gt', (a, b) => a > b);
  if ('$gte' in cond) return cmp('$gte', (a, b) => a >= b);
  if ('$lt' in cond) return cmp('$lt', (a, b) => a < b);
  if ('$lte' in cond) return cmp('$lte', (a, b) => a <= b);
  if ('$like' in cond || '$ilike' in cond) {
    const re = likeRegex(cond.$like ?? cond.$ilike, '$like' in cond);
    return Boolean(re && typeof value === 'string' && re.test(value));
  }
  // A JSON value compared whole.
  return JSON.stringify(value) === JSON.stringify(cond);
}

/** The admin SDK's JSON tree; with schema inference a has-one link is an object, not a list. */
export function toJsonTree(result: QueryResult, catalog: AttrCatalog, inference: boolean): Record<string, unknown[]> {
  const render = (n: Node): Record<string, unknown> => {
    const o: Record<string, unknown> = { ...n.fields };
    for (const [label, kids] of Object.entries(n.children)) {
      const found = catalog.find(n.entity.etype, label);
      const one = found && (found.reverse ? found.attr['unique?'] : found.attr.cardinality === 'one');
      o[label] = inference && one ? (kids[0] ? render(kids[0]) : undefined) : kids.map(render);
    }
    return o;
  };
  return Object.fromEntries(Object.entries(result.roots).map(([k, nodes]) => [k, nodes.map(render)]));
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
