// The in-memory triple store. Entities hold their field triples; links are kept in forward and
// reverse indexes; `unique` attributes have a value index that every write goes through.
// Writes happen inside `transaction()`: every mutation records its undo, so a failed check
// anywhere in a transaction rolls the whole transaction back before anyone else runs (the event
// loop gives transactions their isolation; there are no awaits inside one).
import type { Attr, AttrCatalog } from './attrs.ts';
import { InstantLocalError } from './errors.ts';

export type Entity = { etype: string; id: string; fields: Map<string, { v: unknown; t: number }> };
type LinkIndex = { fwd: Map<string, Map<string, number>>; rev: Map<string, Map<string, number>> };

/** A redo record: what the durable log stores and replays. */
export type Change =
  | ['ensure', string, string, number]
  | ['set', string, string, string, unknown, number]
  | ['unset', string, string, string]
  | ['link', string, string, string, number]
  | ['unlink', string, string, string]
  | ['delete', string, string];

export class TripleStore {
  private readonly entities = new Map<string, Map<string, Entity>>();
  private readonly links = new Map<string, LinkIndex>();
  private readonly unique = new Map<string, ValueMap<string>>();
  /** Value index for `indexed` attributes: what lets an equality `where` skip a scan. */
  private readonly indexed = new Map<string, ValueMap<Set<string>>>();
  private undo: (() => void)[] | null = null;
  private changes: Change[] | null = null;

  constructor(private readonly catalog: AttrCatalog) {}

  // ---- reads

  get(etype: string, id: string): Entity | undefined {
    return this.entities.get(etype)?.get(id);
  }

  all(etype: string): Iterable<Entity> {
    return this.entities.get(etype)?.values() ?? [];
  }

  count(etype: string): number {
    return this.entities.get(etype)?.size ?? 0;
  }

  value(e: Entity, label: string): unknown {
    const attr = this.catalog.field(e.etype, label);
    return attr ? e.fields.get(attr.id)?.v : undefined;
  }

  byUnique(attr: Attr, v: unknown): string | undefined {
    return this.unique.get(attr.id)?.get(v);
  }

  /** Ids of entities whose indexed `attr` equals `v`, or undefined when `attr` has no index. */
  byIndexed(attr: Attr, v: unknown): Set<string> | undefined {
    if (!attr['index?'] || attr['value-type'] !== 'blob') return undefined;
    return this.indexed.get(attr.id)?.get(v) ?? new Set();
  }

  /** Ids linked from `id` through `attr` (forward: id is the source; reverse: id is the target). */
  linked(attr: Attr, id: string, reverse: boolean): Map<string, number> {
    const idx = this.links.get(attr.id);
    return (reverse ? idx?.rev.get(id) : idx?.fwd.get(id)) ?? new Map();
  }

  /** Plain `{label: value}` of an entity's fields, `id` included. */
  toObject(e: Entity): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const [attrId, { v }] of e.fields) {
      const a = this.catalog.byId.get(attrId);
      if (a) o[a['forward-identity'][2]] = v;
    }
    return o;
  }

  /** Rebuilds the unique and value indexes from the entities (after attrs' flags change). */
  reindex() {
    this.unique.clear();
    this.indexed.clear();
    for (const byId of this.entities.values()) {
      for (const e of byId.values()) {
        for (const [attrId, { v }] of e.fields) {
          const attr = this.catalog.byId.get(attrId);
          if (!attr || attr['forward-identity'][2] === 'id') continue;
          if (attr['unique?']) this.uniqueIndex(attr).set(v, e.id);
          this.index(attr, v, e.id);
        }
      }
    }
  }

  // ---- writes (only inside transaction())

  transaction<T>(fn: () => T): { result: T; changes: Change[] } {
    if (this.undo) throw new Error('nested transaction');
    this.undo = [];
    this.changes = [];
    try {
      const result = fn();
      return { result, changes: this.changes };
    } catch (e) {
      for (const u of this.undo.reverse()) u();
      throw e;
    } finally {
      this.undo = null;
      this.changes = null;
    }
  }

  /** Replays a committed change list (from the durable log) without checks. */
  replay(changes: Change[]) {
    this.transaction(() => changes.forEach((c) => this.apply(c)));
  }

  apply(c: Change) {
    switch (c[0]) {
      case 'ensure':
        return this.ensure(c[1], c[2], c[3]);
      case 'set':
        return this.set(c[1], c[2], this.attr(c[3]), c[4], c[5]);
      case 'unset':
        return this.unset(c[1], c[2], this.attr(c[3]));
      case 'link':
        return this.link(this.attr(c[1]), c[2], c[3], c[4]);
      case 'unlink':
        return this.unlink(this.attr(c[1]), c[2], c[3]);
      case 'delete':
        return this.remove(c[1], c[2]);
    }
  }

  ensure(etype: string, id: string, t: number): Entity {
    const existing = this.get(etype, id);
    if (existing) return existing;
    let byId = this.entities.get(etype);
    if (!byId) this.entities.set(etype, (byId = new Map()));
    const e: Entity = { etype, id, fields: new Map() };
    const idAttr = this.catalog.idAttr(etype);
    if (idAttr) e.fields.set(idAttr.id, { v: id, t });
    byId.set(id, e);
    this.record(['ensure', etype, id, t], () => byId.delete(id));
    return e;
  }

  set(etype: string, id: string, attr: Attr, v: unknown, t: number) {
    const e = this.ensure(etype, id, t);
    const prev = e.fields.get(attr.id);
    if (prev && Object.is(prev.v, v)) return;
    if (v === null || v === undefined) return this.unset(etype, id, attr);
    if (attr['unique?'] && attr['forward-identity'][2] !== 'id') {
      const idx = this.uniqueIndex(attr);
      const owner = idx.get(v);
      if (owner !== undefined && owner !== id) {
        const [, et, label] = attr['forward-identity'];
        throw new InstantLocalError(
          'record-not-unique',
          `\`${label}\` is a unique attribute on \`${et}\` and an entity already exists with \`${et}.${label}\` = ${JSON.stringify(v)}`,
          { 'record-type': 'triple', 'attr-id': attr.id, etype: et, label, value: v },
        );
      }
      if (prev) idx.delete(prev.v);
      idx.set(v, id);
      this.undo!.push(() => {
        idx.delete(v);
        if (prev) idx.set(prev.v, id);
      });
    }
    e.fields.set(attr.id, { v, t: prev?.t ?? t });
    if (prev) this.unindex(attr, prev.v, id);
    this.index(attr, v, id);
    this.record(['set', etype, id, attr.id, v, t], () => {
      this.unindex(attr, v, id);
      if (prev) this.index(attr, prev.v, id);
      return prev ? e.fields.set(attr.id, prev) : e.fields.delete(attr.id);
    });
  }

  unset(etype: string, id: string, attr: Attr) {
    const e = this.get(etype, id);
    const prev = e?.fields.get(attr.id);
    if (!e || !prev) return;
    e.fields.delete(attr.id);
    if (attr['unique?']) {
      const idx = this.uniqueIndex(attr);
      idx.delete(prev.v);
      this.undo!.push(() => idx.set(prev.v, id));
    }
    this.unindex(attr, prev.v, id);
    this.record(['unset', etype, id, attr.id], () => {
      this.index(attr, prev.v, id);
      e.fields.set(attr.id, prev);
    });
  }

  /** Adds the triple [from attr to]. A has-one forward side replaces the old target. */
  link(attr: Attr, from: string, to: string, t: number) {
    const idx = this.linkIndex(attr);
    if (idx.fwd.get(from)?.has(to)) return;
    if (attr.cardinality === 'one') {
      for (const old of [...(idx.fwd.get(from)?.keys() ?? [])]) this.unlink(attr, from, old);
    }
    if (attr['unique?']) {
      const taken = idx.rev.get(to);
      if (taken && taken.size > 0) {
        const [, et, label] = attr['forward-identity'];
        throw new InstantLocalError(
          'record-not-unique',
          `\`${label}\` links each \`${attr['reverse-identity']![1]}\` to one \`${et}\` only, and ${to} is already linked`,
          { 'record-type': 'triple', 'attr-id': attr.id, etype: et, label, value: to },
        );
      }
    }
    const put = (m: Map<string, Map<string, number>>, a: string, b: string) => {
      let s = m.get(a);
      if (!s) m.set(a, (s = new Map()));
      s.set(b, t);
    };
    put(idx.fwd, from, to);
    put(idx.rev, to, from);
    this.record(['link', attr.id, from, to, t], () => {
      idx.fwd.get(from)?.delete(to);
      idx.rev.get(to)?.delete(from);
    });
  }

  unlink(attr: Attr, from: string, to: string) {
    const idx = this.linkIndex(attr);
    const t = idx.fwd.get(from)?.get(to);
    if (t === undefined) return;
    idx.fwd.get(from)!.delete(to);
    idx.rev.get(to)?.delete(from);
    this.record(['unlink', attr.id, from, to], () => {
      idx.fwd.get(from)!.set(to, t);
      if (!idx.rev.get(to)) idx.rev.set(to, new Map());
      idx.rev.get(to)!.set(from, t);
    });
  }

  /** Deletes an entity, its links, and (following `onDelete: "cascade"`) what depends on it. */
  remove(etype: string, id: string) {
    const e = this.get(etype, id);
    if (!e) return;
    const cascades: [string, string][] = [];
    for (const attr of this.catalog.list) {
      if (attr['value-type'] !== 'ref') continue;
      const [, fwdEtype] = attr['forward-identity'];
      const [, revEtype] = attr['reverse-identity']!;
      if (fwdEtype === etype) {
        for (const to of [...this.linked(attr, id, false).keys()]) {
          this.unlink(attr, id, to);
          if (attr['on-delete-reverse'] === 'cascade') cascades.push([revEtype, to]);
        }
      }
      if (revEtype === etype) {
        for (const from of [...this.linked(attr, id, true).keys()]) {
          this.unlink(attr, from, id);
          if (attr['on-delete'] === 'cascade') cascades.push([fwdEtype, from]);
        }
      }
    }
    for (const [attrId, { v }] of e.fields) {
      const attr = this.catalog.byId.get(attrId);
      if (!attr) continue;
      if (attr['unique?'] && attr['forward-identity'][2] !== 'id') {
        const idx = this.uniqueIndex(attr);
        idx.delete(v);
        this.undo!.push(() => idx.set(v, id));
      }
      this.unindex(attr, v, id);
      this.undo!.push(() => this.index(attr, v, id));
    }
    const byId = this.entities.get(etype)!;
    byId.delete(id);
    this.record(['delete', etype, id], () => byId.set(id, e));
    for (const [et, cid] of cascades) this.remove(et, cid);
  }

  private record(change: Change, undo: () => void) {
    if (!this.undo || !this.changes) throw new Error('write outside a transaction');
    this.undo.push(undo);
    this.changes.push(change);
  }

  private attr(id: string): Attr {
    const a = this.catalog.byId.get(id);
    if (!a) throw new Error(`unknown attr ${id} in log`);
    return a;
  }

  private index(attr: Attr, v: unknown, id: string) {
    if (!attr['index?'] || attr['forward-identity'][2] === 'id') return;
    let byValue = this.indexed.get(attr.id);
    if (!byValue) this.indexed.set(attr.id, (byValue = new ValueMap()));
    let ids = byValue.get(v);
    if (!ids) byValue.set(v, (ids = new Set()));
    ids.add(id);
  }

  private unindex(attr: Attr, v: unknown, id: string) {
    if (!attr['index?']) return;
    const byValue = this.indexed.get(attr.id);
    const ids = byValue?.get(v);
    ids?.delete(id);
    if (ids && !ids.size) byValue!.delete(v);
  }

  private uniqueIndex(attr: Attr) {
    let idx = this.unique.get(attr.id);
    if (!idx) this.unique.set(attr.id, (idx = new ValueMap()));
    return idx;
  }

  private linkIndex(attr: Attr) {
    let idx = this.links.get(attr.id);
    if (!idx) this.links.set(attr.id, (idx = { fwd: new Map(), rev: new Map() }));
    return idx;
  }
}

/**
 * A map keyed by values compared as `uniqueKey` compares them; strings key as themselves, so the
 * hot path (string values) builds no key string.
 */
class ValueMap<T> {
  private readonly strings = new Map<string, T>();
  private readonly others = new Map<string, T>();

  get(v: unknown): T | undefined {
    return typeof v === 'string' ? this.strings.get(v) : this.others.get(JSON.stringify(v));
  }

  set(v: unknown, x: T) {
    if (typeof v === 'string') this.strings.set(v, x);
    else this.others.set(JSON.stringify(v), x);
  }

  delete(v: unknown) {
    if (typeof v === 'string') this.strings.delete(v);
    else this.others.delete(JSON.stringify(v));
  }
}

/** Unique values compare as Instant's av index does: strings by value, others by their JSON. */
export function uniqueKey(v: unknown): string {
  return typeof v === 'string' ? `s:${v}` : `j:${JSON.stringify(v)}`;
}
