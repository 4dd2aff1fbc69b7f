// Instant's check of `required` attributes on writes (upstream triple-model/validate-required!),
// run after a transaction's writes, for admin and client transactions alike. An entity the
// transaction touched (a triple added, merged or retracted on it, or a link of it removed by a
// delete) that is still alive in a namespace with required attributes must have each of them,
// and its `id`, with a non-null value; a required link must link it to something.
import type { Attr, AttrCatalog } from './attrs.ts';
import { InstantLocalError } from './errors.ts';
import type { TripleStore } from './triple-store.ts';

type Missing = { entity_id: string; attr_id: string; etype: string; label: string; is_required: boolean };

export class TouchedEntities {
  private readonly seen = new Map<string, Set<string>>();
  private readonly order: [string, string][] = [];

  add(etype: string, id: string) {
    let ids = this.seen.get(etype);
    if (!ids) this.seen.set(etype, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    this.order.push([etype, id]);
  }

  /** Before `store.remove(etype, id)`: the entities linking to it lose that link. */
  addLinkSources(catalog: AttrCatalog, store: TripleStore, etype: string, id: string) {
    for (const attr of catalog.list) {
      if (attr['value-type'] !== 'ref' || attr['reverse-identity']?.[1] !== etype) continue;
      for (const from of store.linked(attr, id, true).keys()) this.add(attr['forward-identity'][1], from);
    }
  }

  list(): [string, string][] {
    return this.order;
  }
}

function has(store: TripleStore, a: Attr, etype: string, id: string): boolean {
  if (a['value-type'] === 'ref') return store.linked(a, id, false).size > 0;
  const v = store.get(etype, id)?.fields.get(a.id)?.v;
  return v !== null && v !== undefined;
}

export function checkRequired(catalog: AttrCatalog, store: TripleStore, touched: [string, string][]) {
  const missing: Missing[] = [];
  for (const [etype, id] of touched) {
    const req = catalog.required(etype);
    if (!req.length) continue;
    const e = store.get(etype, id);
    // Alive: some non-null triple of this namespace remains (a field, or a link from it).
    const alive =
      e &&
      ([...e.fields.values()].some((f) => f.v !== null && f.v !== undefined) ||
        catalog.list.some(
          (a) => a['value-type'] === 'ref' && a['forward-identity'][1] === etype && store.linked(a, id, false).size > 0,
        ));
    if (!alive) continue;
    for (const a of req) {
      if (!has(store, a, etype, id))
        missing.push({ entity_id: id, attr_id: a.id, etype, label: a['forward-identity'][2], is_required: true });
    }
  }
  if (!missing.length) return;
  const groups = new Map<string, Missing[]>();
  for (const m of missing) {
    const k = `${m.etype}/${m.label}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const message = [...groups]
    .map(([name, ms]) =>
      ms.length === 1
        ? `Missing required attribute \`${name}\`: ${ms[0].entity_id}`
        : `Missing required attributes \`${name}\`: ${ms.map((m) => m.entity_id).join(', ')}`,
    )
    .join('. ');
  throw new InstantLocalError('validation-failed', message, { records: missing });
}
