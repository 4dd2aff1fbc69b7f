// Builds Instant's attribute catalog (the `attrs` sent in init-ok) from an `i.schema(...)` object.
// Attribute ids are derived from the app id and the attribute's name, so they are stable across
// restarts and schema reloads: triples written before a restart still point at the same attrs.
import { createHash } from 'node:crypto';

export type SchemaJson = {
  entities: Record<
    string,
    {
      attrs: Record<
        string,
        { valueType: string; required?: boolean; config?: { unique?: boolean; indexed?: boolean } }
      >;
    }
  >;
  links: Record<
    string,
    {
      forward: { on: string; has: 'one' | 'many'; label: string; onDelete?: 'cascade' };
      reverse: { on: string; has: 'one' | 'many'; label: string; onDelete?: 'cascade' };
    }
  >;
};

/** An attribute as Instant sends it in `attrs` (the client SDK's InstantDBAttr). */
export type Attr = {
  id: string;
  'value-type': 'blob' | 'ref';
  cardinality: 'one' | 'many';
  'forward-identity': [string, string, string];
  'reverse-identity'?: [string, string, string] | null;
  'unique?': boolean;
  'index?': boolean;
  'required?'?: boolean;
  'inferred-types': string[] | null;
  catalog: 'system' | 'user';
  'on-delete'?: 'cascade' | null;
  'on-delete-reverse'?: 'cascade' | null;
  'checked-data-type'?: 'string' | 'number' | 'boolean' | 'date' | null;
};

export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  // Shape it as a v4-looking UUID (version and variant nibbles set) so clients validate it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CHECKED_TYPES = new Set(['string', 'number', 'boolean', 'date']);

// Instant's own system namespaces: `$users` always exists, with `email` unique and indexed, and
// `type` ("user" / "guest") and `imageURL` as on Instant's system catalog.
const SYSTEM_ENTITIES: SchemaJson['entities'] = {
  $users: {
    attrs: {
      email: { valueType: 'string', config: { unique: true, indexed: true } },
      type: { valueType: 'string' },
      imageURL: { valueType: 'string' },
    },
  },
};

export function attrsFromSchema(appId: string, schema: SchemaJson | undefined): Attr[] {
  const entities = { ...SYSTEM_ENTITIES, ...(schema?.entities ?? {}) };
  const attrs: Attr[] = [];
  for (const [etype, def] of Object.entries(entities)) {
    const system = etype.startsWith('$');
    attrs.push(blobAttr(appId, etype, 'id', { unique: false, indexed: false }, undefined, system));
    const labels = { ...(SYSTEM_ENTITIES[etype]?.attrs ?? {}), ...def.attrs };
    for (const [label, a] of Object.entries(labels)) {
      attrs.push(blobAttr(appId, etype, label, a.config ?? {}, a.valueType, system, a.required));
    }
  }
  for (const link of Object.values(schema?.links ?? {})) {
    const { forward, reverse } = link;
    attrs.push({
      id: derivedUuid(appId, 'attr', forward.on, forward.label),
      'forward-identity': [derivedUuid(appId, 'fwd', forward.on, forward.label), forward.on, forward.label],
      'reverse-identity': [derivedUuid(appId, 'rev', reverse.on, reverse.label), reverse.on, reverse.label],
      'value-type': 'ref',
      cardinality: forward.has === 'one' ? 'one' : 'many',
      'unique?': reverse.has === 'one',
      'index?': false,
      'inferred-types': null,
      catalog: forward.on.startsWith('$') && reverse.on.startsWith('$') ? 'system' : 'user',
      'on-delete': forward.onDelete ?? null,
      'on-delete-reverse': reverse.onDelete ?? null,
    });
  }
  return attrs;
}

/**
 * Attributes the admin SDK names that no schema declares (Instant creates them on the fly when
 * the schema is not enforced): the attribute, and the namespace's `id` when the namespace is new.
 * A new link points at a namespace named after its label, as Instant's inference does.
 */
export function inferredAttrs(appId: string, catalog: AttrCatalog, etype: string, label: string, ref: boolean): Attr[] {
  const out: Attr[] = [];
  if (!catalog.idAttr(etype)) out.push(blobAttr(appId, etype, 'id', {}, undefined, false));
  if (!ref) {
    out.push(blobAttr(appId, etype, label, {}, undefined, false));
    return out;
  }
  out.push({
    id: derivedUuid(appId, 'attr', etype, label),
    'forward-identity': [derivedUuid(appId, 'fwd', etype, label), etype, label],
    'reverse-identity': [derivedUuid(appId, 'rev', label, etype), label, etype],
    'value-type': 'ref',
    cardinality: 'many',
    'unique?': false,
    'index?': false,
    'inferred-types': null,
    catalog: 'user',
  });
  return out;
}

function blobAttr(
  appId: string,
  etype: string,
  label: string,
  config: { unique?: boolean; indexed?: boolean },
  valueType: string | undefined,
  system: boolean,
  required?: boolean,
): Attr {
  return {
    id: derivedUuid(appId, 'attr', etype, label),
    'forward-identity': [derivedUuid(appId, 'fwd', etype, label), etype, label],
    'value-type': 'blob',
    cardinality: 'one',
    'unique?': label === 'id' ? true : Boolean(config.unique),
    'index?': label === 'id' ? true : Boolean(config.indexed),
    'required?': Boolean(required),
    'inferred-types': null,
    catalog: system ? 'system' : 'user',
    'checked-data-type': valueType && CHECKED_TYPES.has(valueType) ? (valueType as 'string') : null,
  };
}

function named<T>(m: Map<string, Map<string, T>>, etype: string): Map<string, T> {
  let byLabel = m.get(etype);
  if (!byLabel) m.set(etype, (byLabel = new Map()));
  return byLabel;
}

/** Index over a catalog for the lookups every module needs. */
export class AttrCatalog {
  readonly byId = new Map<string, Attr>();
  /**
   * Each namespace's required attributes, derived on first use. Every mutator below clears it,
   * so no caller can change the catalog and forget to drop it.
   */
  private readonly requiredByEtype = new Map<string, Attr[]>();
  // By namespace, then label: lookups build no key string. Values are what `find` returns.
  private readonly fwd = new Map<string, Map<string, { attr: Attr; reverse: false }>>();
  private readonly rev = new Map<string, Map<string, { attr: Attr; reverse: true }>>();

  constructor(readonly list: Attr[]) {
    for (const a of list) this.add(a);
  }

  /** Rewrites an attribute's flags (required, unique, indexed, types) in place. */
  update(a: Attr, changes: Partial<Attr>) {
    Object.assign(a, changes);
    this.requiredByEtype.clear();
  }

  add(a: Attr) {
    this.requiredByEtype.clear();
    this.byId.set(a.id, a);
    named(this.fwd, a['forward-identity'][1]).set(a['forward-identity'][2], { attr: a, reverse: false });
    const r = a['reverse-identity'];
    if (r) named(this.rev, r[1]).set(r[2], { attr: a, reverse: true });
    if (!this.list.includes(a)) this.list.push(a);
  }

  /** Takes an attribute out (admin `delete-attr`, or undoing a failed transaction's `add-attr`). */
  remove(a: Attr) {
    this.requiredByEtype.clear();
    this.byId.delete(a.id);
    const [, etype, label] = a['forward-identity'];
    if (this.fwd.get(etype)?.get(label)?.attr === a) this.fwd.get(etype)!.delete(label);
    const r = a['reverse-identity'];
    if (r && this.rev.get(r[1])?.get(r[2])?.attr === a) this.rev.get(r[1])!.delete(r[2]);
    const i = this.list.indexOf(a);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The attribute named `label` on `etype`: a field, a forward link, or a reverse link. */
  find(etype: string, label: string): { attr: Attr; reverse: boolean } | undefined {
    return this.fwd.get(etype)?.get(label) ?? this.rev.get(etype)?.get(label);
  }

  field(etype: string, label: string): Attr | undefined {
    const f = this.fwd.get(etype)?.get(label)?.attr;
    return f && f['value-type'] === 'blob' ? f : undefined;
  }

  idAttr(etype: string): Attr | undefined {
    return this.field(etype, 'id');
  }

  fieldsOf(etype: string): Attr[] {
    return this.list.filter((a) => a['value-type'] === 'blob' && a['forward-identity'][1] === etype);
  }

  /** The attributes a write must leave set on a live `etype` entity: none, or its required ones and `id`. */
  required(etype: string): Attr[] {
    let req = this.requiredByEtype.get(etype);
    if (!req) {
      const own = this.list.filter((a) => a['forward-identity'][1] === etype);
      // Only namespaces with a required attribute are checked; there `id` counts as required too.
      req = own.some((a) => a['required?'])
        ? own.filter((a) => a['required?'] || a['forward-identity'][2] === 'id')
        : [];
      this.requiredByEtype.set(etype, req);
    }
    return req;
  }

  etypes(): string[] {
    return [...new Set(this.list.map((a) => a['forward-identity'][1]))];
  }
}
