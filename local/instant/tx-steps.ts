// Instant's tx-steps as the client SDK sends them (and admin ops become), parsed into step maps
// and checked the way Instant's server checks them before it loads anything: entity ids are UUIDs
// or lookups on unique attributes of the same namespace, link values are UUIDs or lookups, and a
// client may not write system columns of `$` namespaces.
import type { Attr } from './attrs.ts';
import { validationError } from './errors.ts';

export type Lookup = [string, unknown];
export type Eid = string | Lookup;

export type TripleStep = {
  op: 'add-triple' | 'deep-merge-triple' | 'retract-triple';
  eid: Eid;
  attr: Attr;
  etype: string;
  label: string;
  value: unknown;
  /** The linked namespace, for link attributes. */
  revEtype?: string;
  mode?: 'create' | 'update';
  raw: unknown[];
};
export type DeleteStep = { op: 'delete-entity'; eid: Eid; etype?: string; raw: unknown[] };
export type ParamsStep = { op: 'rule-params'; eid: Eid; etype: string; value: Record<string, unknown>; raw: unknown[] };
export type AttrStep =
  | { op: 'add-attr'; attr: Attr; raw: unknown[] }
  | { op: 'delete-attr' | 'update-attr' | 'restore-attr'; attrId: string; raw: unknown[] };
export type Step = TripleStep | DeleteStep | ParamsStep | AttrStep;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `v` is a UUID string. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);

export const isLookup = (e: unknown): e is Lookup => Array.isArray(e);

export const isTriple = (s: Step): s is TripleStep =>
  s.op === 'add-triple' || s.op === 'deep-merge-triple' || s.op === 'retract-triple';

/** One key per entity as a transaction names it (an id, or a lookup not yet resolved). */
export const entityKey = (etype: string, eid: Eid) => `${etype}\u0000${isLookup(eid) ? JSON.stringify(eid) : eid}`;

// Upstream's system catalog columns on `$users` (`id` stays writable: every update sends it).
const USERS_SYSTEM_COLUMNS = new Set(['email', 'type', 'imageURL', 'linkedPrimaryUser', 'linkedGuestUsers']);

type AttrOf = (id: string) => Attr | undefined;

function stepAttr(attrOf: AttrOf, id: unknown, step: unknown[]): Attr {
  const a = typeof id === 'string' ? attrOf(id) : undefined;
  if (!a) throw validationError('tx-step', step, [`Attribute ${JSON.stringify(id)} does not exist`]);
  return a;
}

function stepEid(attrOf: AttrOf, e: unknown, step: unknown[], etype: string | undefined): Eid {
  if (isUuid(e)) return e.toLowerCase();
  if (Array.isArray(e) && e.length === 2) {
    const la = stepAttr(attrOf, e[0], step);
    const [, lookupEtype, label] = la['forward-identity'];
    if (label === 'id' && !isUuid(e[1])) {
      throw validationError('tx-steps', step, [
        `Invalid lookup '${JSON.stringify(e)}'. The lookup attribute is '${lookupEtype}.id', but the lookup value is not a valid UUID.`,
      ]);
    }
    if (label === 'id') return String(e[1]).toLowerCase();
    if (!la['unique?']) throw validationError('tx-step', step, [`${label} is not a unique attribute.`]);
    if (etype !== undefined && etype !== lookupEtype) throw namespaceMismatch(step);
    return [la.id, e[1]];
  }
  throw validationError('tx-steps', step, [
    `Invalid entity ID '${typeof e === 'string' ? e : JSON.stringify(e)}'. Entity IDs must be UUIDs. ` +
      'Use id() or lookup() to generate a valid UUID.',
  ]);
}

/** Parses raw steps; `attrOf` already knows the attributes this transaction's `add-attr` steps add. */
export function parseSteps(raw: unknown[], attrOf: AttrOf): Step[] {
  return raw.map((s) => {
    if (!Array.isArray(s) || typeof s[0] !== 'string') throw validationError('tx-step', s, ['Malformed tx-step']);
    const step = s as unknown[];
    switch (step[0]) {
      case 'add-attr': {
        const a = step[1] as Attr;
        if (!a || typeof a !== 'object' || typeof a.id !== 'string' || !Array.isArray(a['forward-identity'])) {
          throw validationError('tx-step', step, ['Malformed attr']);
        }
        if (a['value-type'] === 'ref' && !Array.isArray(a['reverse-identity'])) {
          throw validationError('tx-step', step, ['A link attr needs a reverse-identity']);
        }
        return { op: 'add-attr', attr: a, raw: step };
      }
      case 'delete-attr':
      case 'restore-attr':
        return { op: step[0], attrId: String(step[1]), raw: step };
      case 'update-attr':
        return { op: 'update-attr', attrId: String((step[1] as { id?: unknown })?.id), raw: step };
      case 'add-triple':
      case 'deep-merge-triple':
      case 'retract-triple': {
        const a = stepAttr(attrOf, step[2], step);
        const [, etype, label] = a['forward-identity'];
        const eid = stepEid(attrOf, step[1], step, etype);
        const opts = step[4] as { mode?: string } | undefined;
        const mode = opts?.mode === 'create' || opts?.mode === 'update' ? opts.mode : undefined;
        let value = step[3];
        let revEtype: string | undefined;
        if (a['value-type'] === 'ref') {
          revEtype = a['reverse-identity']![1];
          if (isLookup(value)) {
            const la = stepAttr(attrOf, value[0], step);
            if (la['forward-identity'][1] !== revEtype) throw namespaceMismatch(step);
            const idLookup = la['forward-identity'][2] === 'id';
            if (idLookup && !isUuid(value[1])) {
              throw validationError('tx-steps', step, [
                `Invalid lookup '${JSON.stringify(value)}'. The lookup attribute is '${revEtype}.id', ` +
                  'but the lookup value is not a valid UUID.',
              ]);
            }
            value = idLookup ? String(value[1]).toLowerCase() : [la.id, value[1]];
          } else if (isUuid(value)) {
            value = value.toLowerCase();
          } else {
            throw validationError('eid', value, ['Expected link value to be a uuid.']);
          }
        }
        return { op: step[0], eid, attr: a, etype, label, value, revEtype, mode, raw: step };
      }
      case 'delete-entity': {
        const etype = typeof step[2] === 'string' ? step[2] : undefined;
        return { op: 'delete-entity', eid: stepEid(attrOf, step[1], step, etype), etype, raw: step };
      }
      case 'rule-params': {
        const etype = String(step[2]);
        const params = step[3];
        if (!params || typeof params !== 'object' || Array.isArray(params)) {
          throw validationError('tx-step', step, ['rule-params takes a map of params']);
        }
        return {
          op: 'rule-params',
          eid: stepEid(attrOf, step[1], step, etype),
          etype,
          value: params as Record<string, unknown>,
          raw: step,
        };
      }
      default:
        throw validationError('tx-step', step, [`Unknown tx-step \`${step[0]}\``]);
    }
  });
}

function namespaceMismatch(step: unknown[]) {
  return validationError('tx-step', step, [
    'Invalid transaction. The namespace in the lookup attribute is different from the namespace of the attribute that is being set',
  ]);
}

/** Instant's `prevent-system-column-updates` for clients: system columns and `$` deletes are refused. */
export function guardSystemColumns(steps: Step[]) {
  for (const s of steps) {
    if (s.op === 'delete-entity' && s.etype?.startsWith('$') && s.etype !== '$files') {
      throw validationError('tx-step', s.raw, [
        `${s.etype} is a system entity. You aren't allowed to delete this directly.`,
      ]);
    }
    if (s.op !== 'add-triple' && s.op !== 'deep-merge-triple' && s.op !== 'retract-triple') continue;
    if (!s.etype.startsWith('$')) continue;
    const system =
      s.etype === '$users'
        ? USERS_SYSTEM_COLUMNS.has(s.label)
        : s.attr.catalog === 'system' && s.label !== 'id' && s.label !== 'path';
    if (system) {
      throw validationError('tx-step', s.raw, [
        `${s.etype}.${s.label} is a system column. You aren't allowed to change this directly.`,
      ]);
    }
  }
}

/** Upstream runs each kind of step as a group, groups in the order their kind first appears. */
export function groupByOp<T extends { op: string }>(steps: T[]): T[] {
  const groups = new Map<string, T[]>(); // Map keeps the order kinds first appear in
  for (const s of steps) {
    const group = groups.get(s.op);
    if (group) group.push(s);
    else groups.set(s.op, [s]);
  }
  return groups.size === 1 ? steps.slice() : [...groups.values()].flat();
}
