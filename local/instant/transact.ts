// Applies a transaction: Instant's tx-steps (as the client SDK sends them, with attr ids) or the
// admin SDK's ops (with names), checked for types, modes, uniqueness and permissions, all or
// nothing. Admin ops are first turned into tx-steps so that one path serves both.
import { randomUUID } from 'node:crypto';
import type { Attr, AttrCatalog } from './attrs.ts';
import { InstantLocalError, permissionDenied, validationError } from './errors.ts';
import type { AuthUser, Permissions } from './permissions.ts';
import type { Change, Entity, TripleStore } from './triple-store.ts';

export type TxStep = unknown[];
type Lookup = [string, unknown];
type Eid = string | Lookup;

export type TxAccess = { admin: boolean; user: AuthUser };
export type TxOutcome = { changes: Change[]; newAttrs: Attr[] };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Transactor {
  /** Commit times strictly increase, so `serverCreatedAt` orders entities as they were written. */
  private lastNow = 0;

  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
    private readonly createAttr: (etype: string, label: string, ref: boolean) => Attr,
  ) {}

  /** Admin ops `[action, etype, id, args, opts]` to tx-steps. */
  opsToSteps(ops: unknown[], throwOnMissingAttrs: boolean): TxStep[] {
    const steps: TxStep[] = [];
    const attrFor = (etype: string, label: string, ref = false): Attr => {
      const found = this.catalog.find(etype, label);
      if (found) return found.attr;
      if (throwOnMissingAttrs) throw validationError('tx-step', [etype, label], [`\`${etype}.${label}\` is not in the schema`]);
      return this.createAttr(etype, label, ref);
    };
    const eidOf = (etype: string, id: unknown): Eid => {
      if (typeof id === 'string' && id.startsWith('lookup__')) {
        const [, label, ...json] = id.split('__');
        return [attrFor(etype, label).id, JSON.parse(json.join('__'))];
      }
      if (Array.isArray(id) && id.length === 2) return [attrFor(etype, String(id[0])).id, id[1]];
      if (typeof id !== 'string' || !UUID_RE.test(id)) {
        throw validationError('tx-step', id, [`Invalid id for ${etype}: ${JSON.stringify(id)} (ids are UUIDs)`]);
      }
      return id;
    };
    for (const op of ops) {
      if (!Array.isArray(op) || typeof op[0] !== 'string' || typeof op[1] !== 'string') {
        throw validationError('tx-step', op, ['Each step is [action, namespace, id, args?, opts?]']);
      }
      const [action, etype, rawId, args, opts] = op as [string, string, unknown, Record<string, unknown>?, Record<string, unknown>?];
      const eid = eidOf(etype, rawId);
      const idAttr = attrFor(etype, 'id');
      const mode = action === 'create' ? { mode: 'create' } : opts?.upsert === false ? { mode: 'update' } : undefined;
      const obj = { ...(args ?? {}) };
      delete obj.id;
      switch (action) {
        case 'create':
        case 'update':
        case 'merge': {
          steps.push(['add-triple', eid, idAttr.id, eid, ...(mode ? [mode] : [])]);
          for (const [label, v] of Object.entries(obj)) {
            if (v === undefined) continue;
            const a = attrFor(etype, label);
            steps.push([action === 'merge' ? 'deep-merge-triple' : 'add-triple', eid, a.id, v, ...(mode ? [mode] : [])]);
          }
          break;
        }
        case 'link':
        case 'unlink': {
          if (action === 'link' && Array.isArray(eid)) steps.push(['add-triple', eid, idAttr.id, eid]);
          for (const [label, targets] of Object.entries(obj)) {
            const a = attrFor(etype, label, true);
            const found = this.catalog.find(etype, label)!;
            const targetEtype = found.reverse ? a['forward-identity'][1] : a['reverse-identity']![1];
            for (const t of Array.isArray(targets) ? targets : [targets]) {
              const teid = eidOf(targetEtype, t);
              const [from, to] = found.reverse ? [teid, eid] : [eid, teid];
              steps.push([action === 'link' ? 'add-triple' : 'retract-triple', from, a.id, to]);
            }
          }
          break;
        }
        case 'delete':
          steps.push(['delete-entity', eid, etype]);
          break;
        case 'ruleParams':
          steps.push(['rule-params', eid, etype, args ?? {}]);
          break;
        default:
          throw validationError('tx-step', op, [`Unknown action \`${action}\``]);
      }
    }
    return steps;
  }

  /** Runs tx-steps atomically. Throws Instant's error and leaves the store untouched on failure. */
  run(steps: unknown, access: TxAccess): TxOutcome {
    if (!Array.isArray(steps)) throw validationError('tx-steps', steps, ['tx-steps must be a list']);
    const newAttrs: Attr[] = [];
    const { changes } = this.store.transaction(() => {
      const now = (this.lastNow = Math.max(Date.now(), this.lastNow + 1));
      const before = new Map<string, Record<string, unknown> | null>();
      const touched = new Map<string, { etype: string; id: string }>();
      const ruleParams = new Map<string, Record<string, unknown>>();
      const deletes: { etype: string; id: string; data: Record<string, unknown> }[] = [];
      const linkChecks: (() => void)[] = [];
      const newlyLinked = new Map<string, string>();
      // Entities that existed before this transaction and had a field written: each is an update,
      // checked by the update rule even when the value did not change (as Instant does).
      const updatedExisting = new Set<string>();

      const snapshot = (etype: string, id: string) => {
        const key = `${etype}\u0000${id}`;
        if (!before.has(key)) {
          const e = this.store.get(etype, id);
          before.set(key, e ? { ...this.store.toObject(e), __etype: etype } : null);
        }
        touched.set(key, { etype, id });
      };
      const resolve = (eid: unknown, etype: string, create: boolean): string | undefined => {
        if (typeof eid === 'string') {
          if (!UUID_RE.test(eid)) throw validationError('tx-step', eid, [`Invalid entity id ${JSON.stringify(eid)}`]);
          return eid;
        }
        if (!Array.isArray(eid) || eid.length !== 2) throw validationError('tx-step', eid, ['Invalid entity id']);
        const attr = this.attr(eid[0]);
        if (!attr['unique?']) throw validationError('tx-step', eid, [`${attr['forward-identity'][2]} is not a unique attribute.`]);
        if (attr['value-type'] === 'ref') {
          // A lookup through a link (`owner.id`): the entity linked to the given id.
          const owner = [...this.store.linked(attr, String(eid[1]), true).keys()][0];
          return owner;
        }
        const key = JSON.stringify(eid);
        const found = this.store.byUnique(attr, eid[1]) ?? newlyLinked.get(key);
        if (found || !create) return found;
        const id = randomUUID();
        newlyLinked.set(key, id);
        snapshot(etype, id);
        this.store.set(etype, id, attr, eid[1], now);
        return id;
      };

      for (const raw of steps) {
        if (!Array.isArray(raw) || typeof raw[0] !== 'string') throw validationError('tx-step', raw, ['Malformed tx-step']);
        const step = raw as unknown[];
        switch (step[0]) {
          case 'add-attr': {
            const attr = step[1] as Attr;
            if (!attr || typeof attr !== 'object' || !attr.id || !Array.isArray(attr['forward-identity'])) {
              throw validationError('tx-step', step, ['Malformed attr']);
            }
            if (this.catalog.byId.has(attr.id)) break;
            const existing = this.catalog.find(attr['forward-identity'][1], attr['forward-identity'][2]);
            if (existing) break;
            if (!access.admin && !this.perms.check(this.perms.program('attrs', 'create'), access.user, { data: { ...attr } }, 'throw')) {
              throw permissionDenied('create', { etype: 'attrs', attr: attr['forward-identity'] });
            }
            const clean = { ...attr } as Attr & { isUnsynced?: boolean };
            delete clean.isUnsynced;
            this.catalog.add(clean);
            newAttrs.push(clean);
            break;
          }
          case 'add-triple':
          case 'deep-merge-triple': {
            const [op, rawE, attrId, rawV, opts] = step as [string, unknown, string, unknown, { mode?: string }?];
            const attr = this.attr(attrId);
            const [, etype, label] = attr['forward-identity'];
            if (etype === '$users' && !access.admin && label === 'id' && !this.store.get('$users', String(rawE))) {
              throw permissionDenied('create', { etype, reason: '$users are created by sign-in, not by transactions' });
            }
            const id = resolve(rawE, etype, true)!;
            const exists = Boolean(this.store.get(etype, id));
            if (opts?.mode === 'create' && exists && before.get(`${etype}\u0000${id}`) !== null && label === 'id') {
              throw validationError('tx-step', step, [`Creating entities that exist: ${id}`]);
            }
            if (opts?.mode === 'update' && !exists) {
              throw validationError('tx-step', step, [`Updating entities that don't exist: ${id}`]);
            }
            snapshot(etype, id);
            if (attr['value-type'] === 'ref') {
              const targetEtype = attr['reverse-identity']![1];
              const to = resolve(rawV, targetEtype, false);
              if (!to) throw validationError('tx-step', step, ['Link target not found']);
              this.store.ensure(etype, id, now);
              this.store.link(attr, id, to, now);
              linkChecks.push(() => this.checkLink(attr, id, to, 'link', access, before, ruleParams));
              break;
            }
            if (before.get(`${etype}\u0000${id}`)) updatedExisting.add(`${etype}\u0000${id}`);
            if (label === 'id') {
              this.store.ensure(etype, id, now);
              break;
            }
            const v = op === 'deep-merge-triple' ? deepMerge(this.store.get(etype, id)?.fields.get(attr.id)?.v, rawV) : rawV;
            checkType(attr, v);
            this.store.set(etype, id, attr, v, now);
            break;
          }
          case 'retract-triple': {
            const [, rawE, attrId, rawV] = step as [string, unknown, string, unknown];
            const attr = this.attr(attrId);
            const etype = attr['forward-identity'][1];
            const id = resolve(rawE, etype, false);
            if (!id) break;
            snapshot(etype, id);
            if (attr['value-type'] === 'ref') {
              const to = resolve(rawV, attr['reverse-identity']![1], false);
              if (!to) break;
              this.store.unlink(attr, id, to);
              linkChecks.push(() => this.checkLink(attr, id, to, 'unlink', access, before, ruleParams));
            } else {
              if (before.get(`${etype}\u0000${id}`)) updatedExisting.add(`${etype}\u0000${id}`);
              this.store.unset(etype, id, attr);
            }
            break;
          }
          case 'delete-entity': {
            const [, rawE, etype] = step as [string, unknown, string];
            if (typeof etype !== 'string') throw validationError('tx-step', step, ['delete-entity needs a namespace']);
            const id = resolve(rawE, etype, false);
            const e = id ? this.store.get(etype, id) : undefined;
            if (!e) break;
            deletes.push({ etype, id: e.id, data: { ...this.store.toObject(e), __etype: etype } });
            if (!access.admin) {
              // Delete rules see the entity as it was, before it goes.
              const ok = this.perms.check(this.perms.program(etype, 'delete'), access.user, {
                data: e,
                ruleParams: ruleParams.get(`${etype}\u0000${e.id}`),
              }, 'throw');
              if (!ok) throw permissionDenied('delete', { etype, id: e.id });
            }
            this.store.remove(etype, e.id);
            touched.delete(`${etype}\u0000${e.id}`);
            break;
          }
          case 'rule-params': {
            const [, rawE, etype, params] = step as [string, unknown, string, Record<string, unknown>];
            const id = resolve(rawE, etype, false);
            if (id) ruleParams.set(`${etype}\u0000${id}`, { ...(ruleParams.get(`${etype}\u0000${id}`) ?? {}), ...(params ?? {}) });
            break;
          }
          default:
            throw validationError('tx-step', step, [`Unknown tx-step \`${step[0]}\``]);
        }
      }

      if (access.admin) return;
      // Permission checks run against the state the transaction produces (data.ref sees it too).
      for (const [key, { etype, id }] of touched) {
        const after = this.store.get(etype, id);
        if (!after) continue;
        const prev = before.get(key);
        const params = ruleParams.get(key);
        if (prev === null) {
          if (!this.perms.check(this.perms.program(etype, 'create'), access.user, { data: after, newData: this.store.toObject(after), ruleParams: params }, 'throw')) {
            throw permissionDenied('create', { etype, id });
          }
        } else if (prev && (updatedExisting.has(key) || changed(prev, this.store.toObject(after)))) {
          if (!this.perms.check(this.perms.program(etype, 'update'), access.user, { data: prev!, newData: this.store.toObject(after), ruleParams: params }, 'throw')) {
            throw permissionDenied('update', { etype, id });
          }
        }
      }
      linkChecks.forEach((c) => c());
    });
    return { changes, newAttrs };
  }

  /** Link rules when either side defines one; else update on the source and view on the target. */
  private checkLink(
    attr: Attr,
    from: string,
    to: string,
    action: 'link' | 'unlink',
    access: TxAccess,
    before: Map<string, Record<string, unknown> | null>,
    ruleParams: Map<string, Record<string, unknown>>,
  ) {
    if (access.admin) return;
    const [, fwdEtype, fwdLabel] = attr['forward-identity'];
    const [, revEtype, revLabel] = attr['reverse-identity']!;
    const src = this.store.get(fwdEtype, from);
    const dst = this.store.get(revEtype, to);
    const srcExisted = before.get(`${fwdEtype}\u0000${from}`) != null;
    const params = { ...(ruleParams.get(`${revEtype}\u0000${to}`) ?? {}), ...(ruleParams.get(`${fwdEtype}\u0000${from}`) ?? {}) };
    const fwdProgram = this.perms.linkProgram(fwdEtype, fwdLabel, action);
    const revProgram = this.perms.linkProgram(revEtype, revLabel, action);
    const deny = () => {
      throw permissionDenied(action, { etype: fwdEtype, id: from, label: fwdLabel, target: to });
    };
    if (fwdProgram || revProgram) {
      if (fwdProgram && src && !this.perms.check(fwdProgram, access.user, { data: src, newData: this.store.toObject(src), linkedData: dst ?? null, ruleParams: params, actions: { data: 'update', linkedData: 'update' } }, 'throw')) deny();
      if (revProgram && dst && !this.perms.check(revProgram, access.user, { data: dst, newData: this.store.toObject(dst), linkedData: src ?? null, ruleParams: params, actions: { data: 'update', linkedData: 'update' } }, 'throw')) deny();
      return;
    }
    if (srcExisted && src && !this.perms.check(this.perms.program(fwdEtype, 'update'), access.user, { data: src, newData: this.store.toObject(src), ruleParams: params }, 'throw')) deny();
    if (dst && !this.perms.check(this.perms.program(revEtype, 'view'), access.user, { data: dst, ruleParams: params }, 'throw')) deny();
  }

  private attr(id: unknown): Attr {
    const a = typeof id === 'string' ? this.catalog.byId.get(id) : undefined;
    if (!a) throw validationError('tx-step', id, [`Attribute ${JSON.stringify(id)} does not exist`]);
    return a;
  }
}

function changed(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const { __etype: _drop, ...prev } = a;
  return JSON.stringify(sortKeys(prev)) !== JSON.stringify(sortKeys(b));
}

function sortKeys(o: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
}

function deepMerge(prev: unknown, patch: unknown): unknown {
  if (!isPlain(prev) || !isPlain(patch)) return patch;
  const out: Record<string, unknown> = { ...prev };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(out[k], v);
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** Instant's checked data types, enforced on every write. */
export function checkType(attr: Attr, v: unknown) {
  const t = attr['checked-data-type'];
  if (!t || v === null || v === undefined) return;
  const ok =
    t === 'date'
      ? (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
      : t === 'number'
        ? typeof v === 'number' && Number.isFinite(v)
        : typeof v === t;
  if (!ok) {
    const [, etype, label] = attr['forward-identity'];
    throw new InstantLocalError(
      'validation-failed',
      `Invalid value type for ${etype}.${label}. Value must be a ${t} but the provided value type is ${Array.isArray(v) ? 'array' : typeof v}.`,
      { 'data-type': 'tx-step', input: v, errors: [{ message: `${etype}.${label} must be a ${t}` }] },
    );
  }
}

export type { Entity };
