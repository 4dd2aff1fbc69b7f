// Applies a transaction: Instant's tx-steps (as the client SDK sends them, with attr ids) or the
// admin SDK's ops (with names), checked for types, modes, uniqueness and permissions, all or
// nothing. Admin ops are first turned into tx-steps so that one path serves both. The flow is
// upstream's permissioned transaction: parse and resolve lookups, expand cascading deletes, run
// update/delete/link checks on the data as it was, write (steps grouped by kind), then run
// create checks on the data as it is.
import { randomUUID } from 'node:crypto';
import type { Attr, AttrCatalog } from './attrs.ts';
import { InstantLocalError, permissionDenied, validationError } from './errors.ts';
import type { AuthUser, Permissions, RequestInfo } from './permissions.ts';
import type { Change, Entity, TripleStore } from './triple-store.ts';
import { checkAdminStepShapes } from './admin-step-shape.ts';
import { checkRequired, TouchedEntities } from './required-attrs.ts';
import { postChecks, preChecks, runChecks, type CheckData } from './tx-checks.ts';
import {
  entityKey,
  groupByOp,
  guardSystemColumns,
  isLookup,
  isTriple,
  parseSteps,
  isUuid,
  type Eid,
  type Step,
  type TripleStep,
} from './tx-steps.ts';

export type TxStep = unknown[];

/** Who transacts; `request` feeds `request.origin`/`request.ip`; admin HTTP callers see CEL's error text. */
export type TxAccess = { admin: boolean; user: AuthUser; request?: RequestInfo; showCelErrors?: boolean };
export type TxOutcome = { changes: Change[]; newAttrs: Attr[]; deletedAttrs: string[] };

export class Transactor {
  /** Commit times strictly increase, so `serverCreatedAt` orders entities as they were written. */
  private lastNow = 0;

  constructor(
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
    private readonly perms: Permissions,
    private readonly createAttr: (etype: string, label: string, ref: boolean, unique?: boolean) => Attr,
  ) {}

  /** Admin ops `[action, etype, id, args, opts]` to tx-steps. */
  opsToSteps(ops: unknown[], throwOnMissingAttrs: boolean): TxStep[] {
    if (!Array.isArray(ops)) throw validationError('steps', ops, [{ expected: 'coll?', in: [] }]);
    checkAdminStepShapes(ops);
    const steps: TxStep[] = [];
    const names = new OpsNames(this.catalog, this.createAttr, throwOnMissingAttrs);
    for (const op of ops as unknown[][]) {
      if (op[0] === 'add-attr' || op[0] === 'delete-attr') {
        steps.push([op[0], op[1]]);
        continue;
      }
      const [action, etype, rawId, args, opts] = op as [
        string,
        string,
        unknown,
        Record<string, unknown>?,
        Record<string, unknown>?,
      ];
      const eid = names.eidOf(etype, rawId);
      const idAttr = names.attrFor(etype, 'id');
      const upsert =
        opts?.upsert === false ? { mode: 'update' } : opts?.upsert === true ? { mode: 'upsert' } : undefined;
      const mode = action === 'create' ? { mode: 'create' } : upsert;
      const obj = { ...(args ?? {}) };
      delete obj.id;
      switch (action) {
        case 'create':
        case 'update':
        case 'merge': {
          steps.push(['add-triple', eid, idAttr.id, eid, ...(mode ? [mode] : [])]);
          for (const [label, v] of Object.entries(obj)) {
            if (v === undefined) continue;
            const a = names.attrFor(etype, label);
            steps.push([
              action === 'merge' ? 'deep-merge-triple' : 'add-triple',
              eid,
              a.id,
              v,
              ...(mode ? [mode] : []),
            ]);
          }
          break;
        }
        case 'link':
        case 'unlink': {
          // A lookup that names no entity yet creates it, for link and unlink alike (as upstream).
          if (Array.isArray(eid)) steps.push(['add-triple', eid, idAttr.id, eid]);
          for (const [label, targets] of Object.entries(obj)) {
            const a = names.attrFor(etype, label, true);
            const found = this.catalog.find(etype, label);
            if (!found) continue; // missing, reported below
            const targetEtype = found.reverse ? a['forward-identity'][1] : a['reverse-identity']![1];
            for (const t of Array.isArray(targets) ? targets : [targets]) {
              const teid = names.eidOf(targetEtype, t);
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
          throw validationError('action', action, [
            { message: `Unsupported action ${action}`, hint: { value: action } },
          ]);
      }
    }
    if (names.missing.length) {
      throw validationError('steps', ops, [
        { message: 'Attributes are missing in your schema', hint: { attributes: names.missing } },
      ]);
    }
    return steps;
  }

  /** Runs tx-steps atomically. Throws Instant's error and leaves the store untouched on failure. */
  run(rawSteps: unknown, access: TxAccess): TxOutcome {
    if (!Array.isArray(rawSteps)) throw validationError('tx-steps', rawSteps, ['tx-steps must be a list']);
    const added: Attr[] = [];
    const deleted: Attr[] = [];
    try {
      const { changes } = this.store.transaction(() => this.apply(rawSteps, access, added, deleted));
      return { changes, newAttrs: added, deletedAttrs: deleted.map((a) => a.id) };
    } catch (e) {
      // The catalog is not part of the store's undo: put it back as it was.
      added.forEach((a) => this.catalog.remove(a));
      deleted.forEach((a) => this.catalog.add(a));
      throw e;
    }
  }

  private apply(rawSteps: unknown[], access: TxAccess, added: Attr[], deleted: Attr[]) {
    const now = (this.lastNow = Math.max(Date.now(), this.lastNow + 1)); // commit times strictly increase (serverCreatedAt order)
    const pending = new Map<string, Attr>();
    // Attrs this transaction adds are visible to all its steps (upstream's optimistic attrs).
    for (const s of rawSteps) {
      if (Array.isArray(s) && s[0] === 'add-attr' && s[1] && typeof s[1] === 'object')
        pending.set((s[1] as Attr).id, s[1] as Attr);
    }
    const parsed = parseSteps(rawSteps, (id) => this.catalog.byId.get(id) ?? pending.get(id));
    const steps = this.expandDeletes(parsed);
    if (!access.admin) guardSystemColumns(steps);
    const checkOpts = { request: access.request, showCelErrors: access.showCelErrors };

    // Attribute steps: clients may add attributes (the `attrs` create rule decides), never change them.
    for (const s of steps) {
      if (s.op === 'add-attr') {
        if (this.catalog.byId.has(s.attr.id)) continue;
        const [, etype, label] = s.attr['forward-identity'];
        if (this.catalog.find(etype, label)) {
          const hint = { 'record-type': 'ident', etype, label };
          throw new InstantLocalError('record-not-unique', `\`${label}\` already exists on \`${etype}\``, hint);
        }
        if (
          !access.admin &&
          !this.perms.check(this.perms.program('attrs', 'create'), access.user, { data: { ...s.attr }, ...checkOpts })
        ) {
          throw permissionDenied('attrs', 'attr');
        }
        if (s.attr['required?'] && this.store.count(etype) > 0) {
          throw validationError('attributes', s.attr, [
            `Can't create attribute \`${label}\` as required because \`${etype}\` already have entities`,
          ]);
        }
        const clean = { ...s.attr } as Attr & { isUnsynced?: boolean };
        delete clean.isUnsynced;
        this.catalog.add(clean);
        added.push(clean);
      } else if (s.op === 'delete-attr' || s.op === 'update-attr' || s.op === 'restore-attr') {
        if (!access.admin) throw permissionDenied('attrs', 'attr');
        if (s.op !== 'delete-attr')
          throw validationError('tx-step', s.raw, [`${s.op} is not supported by instant-local`]);
      }
    }

    const before = new EntitiesBefore(this.store).get;
    // Lookups resolve against the data before the transaction; new ones stay lookups until written.
    const triples = steps.filter(isTriple);
    for (const s of triples) {
      s.eid = this.lookupNow(s.eid) ?? s.eid;
      if (s.revEtype) s.value = this.lookupNow(s.value as Eid) ?? s.value;
      before(s.etype, s.eid);
      if (s.revEtype) before(s.revEtype, s.value as Eid);
    }
    // A lookup that names nothing yet creates the entity with its value; changing that value in the
    // same transaction is refused, as upstream's insert is.
    const rekeyed = triples.filter(
      (s) => isLookup(s.eid) && s.op !== 'retract-triple' && s.attr.id === s.eid[0] && !sameJson(s.value, s.eid[1]),
    );
    if (rekeyed.length) {
      throw validationError(
        'lookup',
        rekeyed.map((s) => s.eid),
        [
          'Updates with lookups can only update the lookup attribute if an entity with the unique attribute value already exists.',
        ],
      );
    }
    const ruleParams = new Map<string, Record<string, unknown>>();
    for (const s of steps) {
      if (s.op !== 'rule-params') continue;
      s.eid = this.lookupNow(s.eid) ?? s.eid;
      const key = entityKey(s.etype, s.eid);
      ruleParams.set(key, { ...ruleParams.get(key), ...s.value });
    }
    // Cascaded deletes carry the params of the entity whose delete reached them.
    for (const s of steps) {
      if (s.op === 'delete-entity' && s.cascadedFrom && s.etype) {
        const parent = ruleParams.get(s.cascadedFrom);
        if (parent)
          ruleParams.set(entityKey(s.etype, s.eid), { ...parent, ...ruleParams.get(entityKey(s.etype, s.eid)) });
      }
    }
    // What the permission checks read; an admin's transaction runs none, so it builds none.
    let data: CheckData | undefined;
    if (!access.admin) {
      const updated = this.updatedEntities(triples, before);
      data = {
        perms: this.perms,
        before,
        updated: (etype, eid) => updated.get(entityKey(etype, eid)) ?? before(etype, eid),
        params: (etype, eid) => ruleParams.get(entityKey(etype, eid)),
        modifiedFields: modifiedFieldsOf(triples),
      };
      runChecks(preChecks(steps, data), this.perms, access.user, checkOpts);
    }

    this.validateModes(triples, before);
    const created = new Map<string, string>();
    const touched = new TouchedEntities();
    // Before any delete (a removal cascades in the store): the entities that lose a link to a deleted one.
    for (const s of steps) {
      if (s.op === 'delete-entity' && s.etype && typeof s.eid === 'string')
        touched.addLinkSources(this.catalog, this.store, s.etype, s.eid);
    }
    for (const s of groupByOp(steps)) {
      if (s.op === 'delete-attr') this.deleteAttr(s.attrId, s.raw, deleted);
      else if (s.op === 'delete-entity') {
        if (s.etype && typeof s.eid === 'string') this.store.remove(s.etype, s.eid);
      } else if (s.op === 'add-triple' || s.op === 'deep-merge-triple') this.write(s, created, now);
      else if (s.op === 'retract-triple') this.retract(s, created);
    }
    for (const s of triples) {
      const id = this.resolved(s.eid, created);
      if (id) touched.add(s.etype, id);
    }
    // Upstream validates required attributes inside the write, before the create checks.
    checkRequired(this.catalog, this.store, touched.list());
    if (!data) return;

    const checks = data;
    const after = (etype: string, eid: Eid) => {
      const base = checks.updated(etype, eid);
      const id = this.resolved(eid, created);
      return base && id ? { ...base, id, __etype: etype } : null;
    };
    runChecks(postChecks(groupByOp(steps), { ...checks, after }), this.perms, access.user, checkOpts);
  }

  /** The id a step's entity has after the writes (a lookup resolved, or the entity it created). */
  private resolved(eid: Eid, created: Map<string, string>): string | undefined {
    return typeof eid === 'string' ? eid : (created.get(JSON.stringify(eid)) ?? this.lookupNow(eid));
  }

  /** Deletes by lookup resolve now; a delete without a namespace names every namespace holding the id; cascades expand. */
  private expandDeletes(steps: Step[]): (Step & { cascadedFrom?: string })[] {
    const out: (Step & { cascadedFrom?: string })[] = [];
    const seen = new Set<string>();
    const cascade = (etype: string, id: string, root: string) => {
      for (const attr of this.catalog.list) {
        if (attr['value-type'] !== 'ref') continue;
        const [, fwdEtype] = attr['forward-identity'];
        const [, revEtype] = attr['reverse-identity']!;
        const next: [string, string][] = [];
        if (fwdEtype === etype && attr['on-delete-reverse'] === 'cascade') {
          for (const to of this.store.linked(attr, id, false).keys()) next.push([revEtype, to]);
        }
        if (revEtype === etype && attr['on-delete'] === 'cascade') {
          for (const from of this.store.linked(attr, id, true).keys()) next.push([fwdEtype, from]);
        }
        for (const [et, cid] of next) {
          const key = entityKey(et, cid);
          if (seen.has(key) || !this.store.get(et, cid)) continue;
          seen.add(key);
          out.push({ op: 'delete-entity', eid: cid, etype: et, raw: ['delete-entity', cid, et], cascadedFrom: root });
          cascade(et, cid, root);
        }
      }
    };
    for (const s of steps) {
      if (s.op !== 'delete-entity') {
        out.push(s);
        continue;
      }
      const id = this.lookupNow(s.eid) ?? (typeof s.eid === 'string' ? s.eid : undefined);
      if (!id) continue;
      const etypes = s.etype ? [s.etype] : this.catalog.etypes().filter((et) => this.store.get(et, id));
      for (const etype of etypes) {
        const key = entityKey(etype, id);
        seen.add(key);
        out.push({ ...s, eid: id, etype });
        cascade(etype, id, key);
      }
    }
    return out;
  }

  /** Upstream's updated-entities-map: each entity with this transaction's steps applied. */
  private updatedEntities(triples: TripleStep[], before: (etype: string, eid: Eid) => Record<string, unknown> | null) {
    // Each entity is copied once, when its first step is applied; later steps write into that copy.
    const updated = new Map<string, Record<string, unknown>>();
    for (const s of triples) {
      const key = entityKey(s.etype, s.eid);
      let cur = updated.get(key);
      if (!cur) {
        const was = before(s.etype, s.eid);
        if (was) cur = { ...was };
      }
      if (isLookup(s.eid) && s.op !== 'retract-triple') {
        const label = this.catalog.byId.get(s.eid[0])?.['forward-identity'][2];
        if (label) (cur ??= {})[label] = s.eid[1];
      }
      if (s.op === 'add-triple') (cur ??= {})[s.label] = s.value;
      else if (s.op === 'deep-merge-triple') (cur ??= {})[s.label] = deepMerge(cur[s.label], s.value);
      else if (cur) delete cur[s.label];
      if (cur) updated.set(key, cur);
    }
    return updated;
  }

  /** `create` mode fails on an entity that exists, `update` mode on one that does not (before any write). */
  private validateModes(triples: TripleStep[], before: (etype: string, eid: Eid) => Record<string, unknown> | null) {
    const existing = triples.filter((s) => s.op !== 'retract-triple' && s.mode === 'create' && before(s.etype, s.eid));
    if (existing.length) {
      const ids = [...new Set(existing.map((s) => s.eid))];
      throw validationError(
        'tx-step',
        existing.map((s) => s.raw),
        [`Creating entities that exist: ${ids.join(', ')}`],
      );
    }
    const missing = triples.filter((s) => s.op !== 'retract-triple' && s.mode === 'update' && !before(s.etype, s.eid));
    if (missing.length) {
      const ids = [...new Set(missing.map((s) => (typeof s.eid === 'string' ? s.eid : JSON.stringify(s.eid))))];
      throw validationError(
        'tx-step',
        missing.map((s) => s.raw),
        [`Updating entities that don't exist: ${ids.join(', ')}`],
      );
    }
  }

  /** The id a lookup names now (in the store, as written so far), or undefined. */
  private lookupNow(eid: Eid): string | undefined {
    if (typeof eid === 'string') return eid;
    const attr = this.catalog.byId.get(eid[0]);
    if (!attr) return undefined;
    if (attr['value-type'] === 'ref') return [...this.store.linked(attr, String(eid[1]), true).keys()][0];
    return this.store.byUnique(attr, eid[1]);
  }

  /** The entity a step writes: by id, by a lookup that exists, or new with the lookup's value. */
  private entityFor(
    eid: Eid,
    etype: string,
    created: Map<string, string>,
    now: number,
    create: boolean,
  ): string | undefined {
    if (typeof eid === 'string') return eid;
    const key = JSON.stringify(eid);
    const found = this.lookupNow(eid) ?? created.get(key);
    if (found || !create) return found;
    const attr = this.catalog.byId.get(eid[0])!;
    const id = randomUUID();
    created.set(key, id);
    if (attr['value-type'] === 'ref') {
      // A link lookup (`users.id`) that names nothing yet: a new entity linked to that id.
      if (!isUuid(eid[1])) throw validationError('lookup', eid, ['Expected link value to be a uuid.']);
      this.store.ensure(etype, id, now);
      this.store.link(attr, id, eid[1].toLowerCase(), now);
      return id;
    }
    checkValue(attr, eid[1], id);
    this.store.set(etype, id, attr, eid[1], now);
    return id;
  }

  private write(s: TripleStep, created: Map<string, string>, now: number) {
    const id = this.entityFor(s.eid, s.etype, created, now, true);
    if (!id) throw validationError('tx-step', s.raw, ['Could not find the entity for this lookup']);
    if (s.revEtype) {
      const to = this.entityFor(s.value as Eid, s.revEtype, created, now, false);
      if (!to) throw validationError('tx-step', s.raw, ['Link target not found']);
      this.store.ensure(s.etype, id, now);
      this.store.link(s.attr, id, to, now);
      return;
    }
    if (s.label === 'id') {
      // An entity whose id triple was retracted gets it back.
      if (!this.store.ensure(s.etype, id, now).fields.has(s.attr.id)) this.store.set(s.etype, id, s.attr, id, now);
      return;
    }
    const v =
      s.op === 'deep-merge-triple'
        ? deepMerge(this.store.get(s.etype, id)?.fields.get(s.attr.id)?.v, s.value)
        : s.value;
    checkType(s.attr, v, id);
    checkValue(s.attr, v, id);
    this.store.set(s.etype, id, s.attr, v, now);
  }

  private retract(s: TripleStep, created: Map<string, string>) {
    const id = this.entityFor(s.eid, s.etype, created, 0, false);
    if (!id) return;
    if (s.revEtype) {
      const to = this.entityFor(s.value as Eid, s.revEtype, created, 0, false);
      if (to) this.store.unlink(s.attr, id, to);
    } else if (sameJson(this.store.get(s.etype, id)?.fields.get(s.attr.id)?.v, s.value)) {
      // Upstream deletes the triple with this value: retracting a value the entity no longer has is a no-op.
      this.store.unset(s.etype, id, s.attr);
    }
  }

  /** Admin `delete-attr`: the attribute goes, with every triple that used it. */
  private deleteAttr(attrId: string, raw: unknown[], deleted: Attr[]) {
    const attr = this.catalog.byId.get(attrId);
    if (!attr) throw validationError('tx-step', raw, [`Attribute ${JSON.stringify(attrId)} does not exist`]);
    const [, etype, label] = attr['forward-identity'];
    if (attr.catalog === 'system' && (etype === '$users' ? label === 'id' || label === 'email' : true)) {
      throw validationError('tx-step', raw, [`${etype}.${label} is a system attribute and cannot be deleted.`]);
    }
    if (attr['value-type'] === 'ref') {
      for (const e of [...this.store.all(etype)]) {
        for (const to of [...this.store.linked(attr, e.id, false).keys()]) this.store.unlink(attr, e.id, to);
      }
    } else {
      for (const e of [...this.store.all(etype)]) this.store.unset(etype, e.id, attr);
    }
    this.catalog.remove(attr);
    deleted.push(attr);
  }
}

/**
 * The attributes and entity ids that admin ops name. With throw-on-missing-attrs every attribute
 * the ops would create is collected in `missing`, to be named in one error. (Methods, not
 * closures made per call: the hot path makes no functions.)
 */
class OpsNames {
  readonly missing: string[] = [];

  constructor(
    private readonly catalog: AttrCatalog,
    private readonly createAttr: (etype: string, label: string, ref: boolean, unique?: boolean) => Attr,
    private readonly throwOnMissingAttrs: boolean,
  ) {}

  private absent(etype: string, label: string, ref: boolean, unique?: boolean): Attr {
    if (!this.throwOnMissingAttrs) return this.createAttr(etype, label, ref, unique);
    if (!this.missing.includes(`${etype}.${label}`)) this.missing.push(`${etype}.${label}`);
    return {
      id: randomUUID(),
      'forward-identity': [randomUUID(), etype, label],
      'value-type': 'blob',
      cardinality: 'one',
      'unique?': !!unique,
    } as Attr;
  }

  attrFor(etype: string, label: string, ref = false): Attr {
    return this.catalog.find(etype, label)?.attr ?? this.absent(etype, label, ref);
  }

  /** A lookup names a unique attribute; on a schemaless app Instant creates it (unique, indexed). */
  private lookupAttr(etype: string, label: string): Attr {
    const refLabel = label.includes('.') && !this.catalog.find(etype, label) ? label.split('.') : undefined;
    if (refLabel) {
      if (refLabel.length !== 2 || refLabel[1] !== 'id') {
        throw validationError('lookup', label, [`${label} is not a valid lookup attribute.`]);
      }
      return this.catalog.find(etype, refLabel[0])?.attr ?? this.absent(etype, refLabel[0], true, true);
    }
    return this.catalog.find(etype, label)?.attr ?? this.absent(etype, label, false, true);
  }

  eidOf(etype: string, id: unknown): Eid | unknown {
    let pair: [string, unknown] | undefined;
    if (typeof id === 'string' && id.startsWith('lookup__')) {
      const [, label, ...json] = id.split('__');
      try {
        pair = [label, JSON.parse(json.join('__'))];
      } catch {
        throw validationError('lookup', id, [
          { message: 'lookup value is invalid', hint: { attribute: label, value: json.join('__') } },
        ]);
      }
    } else if (Array.isArray(id) && id.length === 2) pair = [String(id[0]), id[1]];
    else if (id && typeof id === 'object' && !Array.isArray(id)) {
      // `{ slug: 'a' }`: a lookup as a map of one unique attribute
      const entries = Object.entries(id);
      if (entries.length !== 1)
        throw validationError('lookup', id, ['lookup must be an object with a single unique attr and value.']);
      pair = entries[0];
    }
    if (!pair) return id; // checked with upstream's message by parseSteps
    const attr = this.lookupAttr(etype, pair[0]);
    if (!attr['unique?']) throw validationError('lookup', id, [`${pair[0]} is not a unique attribute on ${etype}`]);
    return [attr.id, pair[1]];
  }
}

/** Each entity as stored before the transaction (with `__etype`, for `.ref()`), or null: read once per entity. */
class EntitiesBefore {
  // By namespace, then by id (or a lookup's JSON): no key string is built for an id.
  private readonly cache = new Map<string, Map<string, Record<string, unknown> | null>>();

  constructor(private readonly store: TripleStore) {}

  readonly get = (etype: string, eid: Eid): Record<string, unknown> | null => {
    let byId = this.cache.get(etype);
    if (!byId) this.cache.set(etype, (byId = new Map()));
    const key = eidKey(eid);
    let found = byId.get(key);
    if (found === undefined) {
      const e = typeof eid === 'string' ? this.store.get(etype, eid) : undefined;
      found = e ? { ...this.store.toObject(e), __etype: etype } : null;
      byId.set(key, found);
    }
    return found;
  };
}

/** The labels a transaction writes on each entity: `request.modifiedFields` (never `id`). */
function modifiedFieldsOf(triples: TripleStep[]): (eid: Eid) => string[] {
  const byEntity = new Map<string, Set<string>>();
  for (const s of triples) {
    if (s.op === 'retract-triple' || s.label === 'id') continue;
    const key = eidKey(s.eid);
    let labels = byEntity.get(key);
    if (!labels) byEntity.set(key, (labels = new Set()));
    labels.add(s.label);
  }
  return (eid) => [...(byEntity.get(eidKey(eid)) ?? [])];
}

// An id (a UUID) never looks like a lookup's JSON, so ids key as themselves.
const eidKey = (eid: Eid) => (typeof eid === 'string' ? eid : JSON.stringify(eid));

// Instant's triples table refuses indexed (unique or indexed) values whose column is over 1024 bytes.
const MAX_INDEXED_BYTES = 1024;

/** Values too large for an indexed attribute are refused with upstream's message. */
function checkValue(attr: Attr, v: unknown, eid: string) {
  const [, etype, label] = attr['forward-identity'];
  if (label === 'id' || !(attr['unique?'] || attr['index?']) || v === null || v === undefined) return;
  const json = JSON.stringify(v);
  if (Buffer.byteLength(json) <= MAX_INDEXED_BYTES) return;
  throw new InstantLocalError(
    'validation-failed',
    attr['unique?'] ? 'Value is too large for a unique attribute.' : 'Value is too large for an indexed attribute.',
    {
      namespace: etype,
      attribute: label,
      value: `${json.slice(0, 64)}...`,
      'checked-data-type': attr['checked-data-type'] ?? null,
      'attr-id': attr.id,
      'entity-id': eid,
      'value-too-large?': true,
    },
  );
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
export function checkType(attr: Attr, v: unknown, eid?: string) {
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
      `Invalid value type for ${etype}.${label}. Value must be a ${t} but the provided value type is ${
        Array.isArray(v) ? 'array' : typeof v
      }.`,
      {
        namespace: etype,
        attribute: label,
        value: v,
        'checked-data-type': t,
        'attr-id': attr.id,
        ...(eid ? { 'entity-id': eid } : {}),
      },
    );
  }
}

export type { Entity };

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
