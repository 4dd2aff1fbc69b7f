// Semantic comparison of what an Instant server holds with the project's files: the schema as the
// server's attributes (from `GET /dash/apps/:id/schema/pull`), the rules as parsed JSON. Order,
// whitespace in rule code and attributes the server manages itself ($users.id, $users.email) are
// not differences; a missing or changed attribute, link or rule is.

type AttrDef = { valueType?: string; required?: boolean; config?: { unique?: boolean; indexed?: boolean } };
type LinkSide = { on: string; has: 'one' | 'many'; label: string; onDelete?: string };
export type SchemaFile = {
  entities: Record<string, { attrs: Record<string, AttrDef> }>;
  links: Record<string, { forward: LinkSide; reverse: LinkSide }>;
};

/** An attribute as the server sends it (Instant's wire names). */
export type ServerAttr = {
  'forward-identity': [string, string, string];
  'reverse-identity'?: [string, string, string] | null;
  'value-type': 'blob' | 'ref';
  cardinality: 'one' | 'many';
  'unique?'?: boolean;
  'index?'?: boolean;
  'required?'?: boolean;
  'checked-data-type'?: string | null;
  'on-delete'?: string | null;
  'on-delete-reverse'?: string | null;
  catalog?: 'system' | 'user';
};

const CHECKED = new Set(['string', 'number', 'boolean', 'date']);

function describeBlob(a: { unique: boolean; indexed: boolean; type: string | null; required?: boolean }): string {
  return [
    a.type ?? 'any',
    a.unique && 'unique',
    a.indexed && 'indexed',
    a.required === true ? 'required' : a.required === false ? 'optional' : null,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The differences between the schema file and the server's attributes, one line each. */
export function diffSchema(file: SchemaFile, attrs: ServerAttr[]): string[] {
  const diffs: string[] = [];
  const key = (etype: string, label: string) => `${etype}.${label}`;
  const blobs = new Map<string, ServerAttr>();
  const refs = new Map<string, ServerAttr>();
  for (const a of attrs)
    (a['value-type'] === 'ref' ? refs : blobs).set(key(a['forward-identity'][1], a['forward-identity'][2]), a);
  const expected = new Set<string>();

  for (const [etype, entity] of Object.entries(file.entities)) {
    if (!blobs.has(key(etype, 'id'))) diffs.push(`namespace ${etype} is missing on the server`);
    for (const [label, def] of Object.entries(entity.attrs)) {
      const k = key(etype, label);
      expected.add(k);
      const server = blobs.get(k);
      if (!server) {
        if (blobs.has(key(etype, 'id'))) diffs.push(`${k} is missing on the server`);
        continue;
      }
      if (server.catalog === 'system') continue; // managed by Instant itself
      const want = {
        unique: Boolean(def.config?.unique),
        indexed: Boolean(def.config?.indexed),
        type: def.valueType && CHECKED.has(def.valueType) ? def.valueType : null,
        required: def.required,
      };
      const has = {
        unique: Boolean(server['unique?']),
        indexed: Boolean(server['index?']),
        type: server['checked-data-type'] ?? null,
        required: 'required?' in server ? Boolean(server['required?']) : def.required,
      };
      if (
        want.unique !== has.unique ||
        want.indexed !== has.indexed ||
        want.type !== has.type ||
        Boolean(want.required) !== Boolean(has.required)
      ) {
        diffs.push(`${k} is ${describeBlob(has)} on the server, ${describeBlob(want)} in the file`);
      }
    }
  }
  for (const link of Object.values(file.links)) {
    const { forward: f, reverse: r } = link;
    const k = key(f.on, f.label);
    expected.add(k);
    const server = refs.get(k);
    const shape = (
      on: string,
      label: string,
      has: string,
      revOn: string,
      revLabel: string,
      revHas: string,
      del: unknown,
      delRev: unknown,
    ) =>
      `${on}.${label} (${has}) → ${revOn}.${revLabel} (${revHas})` +
      (del ? ` on-delete ${del}` : '') +
      (delRev ? ` on-delete-reverse ${delRev}` : '');
    const want = shape(f.on, f.label, f.has, r.on, r.label, r.has, f.onDelete, r.onDelete);
    if (!server) {
      diffs.push(`link ${want} is missing on the server`);
      continue;
    }
    const rev = server['reverse-identity'] ?? [null, '?', '?'];
    const has = shape(
      f.on,
      f.label,
      server.cardinality,
      String(rev[1]),
      String(rev[2]),
      server['unique?'] ? 'one' : 'many',
      server['on-delete'],
      server['on-delete-reverse'],
    );
    if (has !== want) diffs.push(`link ${has} on the server, ${want} in the file`);
  }
  for (const [k, a] of [...blobs, ...refs]) {
    if (a.catalog === 'system' || k.endsWith('.id') || expected.has(k)) continue;
    diffs.push(`${k} is on the server but not in the file`);
  }
  return diffs;
}

function normalize(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(sortKeys(normalize(a))) === JSON.stringify(sortKeys(normalize(b)));

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Absent, `[]` and `{}` all mean "none". */
const orNull = (v: unknown) => (v == null || (typeof v === 'object' && Object.keys(v).length === 0) ? null : v);

type Rules = Record<string, { allow?: Record<string, unknown>; bind?: unknown; fields?: unknown }>;

/** The rules that differ, as `namespace.allow.action`, `namespace.fields.field` or `namespace.bind`, one line each. */
export function diffRules(file: Rules, server: Rules | null): string[] {
  if (!server || Object.keys(server).length === 0) return ['the server has no rules at all (everything is allowed)'];
  const diffs: string[] = [];
  for (const ns of [...new Set([...Object.keys(file), ...Object.keys(server)])].sort()) {
    const f = file[ns];
    const s = server[ns];
    if (!s) {
      diffs.push(`${ns}: in the file, not on the server`);
      continue;
    }
    if (!f) {
      diffs.push(`${ns}: on the server, not in the file`);
      continue;
    }
    for (const part of ['allow', 'fields'] as const) {
      const a = (f[part] ?? {}) as Record<string, unknown>;
      const b = (s[part] ?? {}) as Record<string, unknown>;
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (!same(a[k], b[k]))
          diffs.push(
            `${ns}.${part}.${k}: ${JSON.stringify(b[k] ?? null)} on the server, ${JSON.stringify(a[k] ?? null)} in the file`,
          );
      }
    }
    if (!same(orNull(f.bind), orNull(s.bind))) diffs.push(`${ns}.bind differs`);
  }
  return diffs;
}
