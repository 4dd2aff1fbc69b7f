// The permission checks of a client transaction, as Instant's permissioned transaction makes them.
// Pre-checks (update, delete, link/unlink on entities that exist) run against the data as it was
// before the transaction: `data` is the stored entity, `newData` the entity with this
// transaction's steps applied, and `data.ref` follows the links as they were. Post-checks (create,
// links to new entities) run after the writes, so `data.ref` sees what the transaction made.
import { permissionDenied, validationError } from './errors.ts';
import type { AuthUser, EvalVars, Permissions, Program, RequestInfo } from './permissions.ts';
import { isTriple, type Eid, type Step, type TripleStep } from './tx-steps.ts';

type Obj = Record<string, unknown>;
export type Check = { etype: string; program: Program | null; vars: EvalVars };
const check = (etype: string, program: Program | null, vars: EvalVars): Check => ({ etype, program, vars });

/** What the checks read: entities before, entities with the steps applied, params, fields. */
export type CheckData = {
  perms: Permissions;
  /** The stored entity (with `__etype`, so that `.ref()` can follow it), or null when new. */
  before(etype: string, eid: Eid): Obj | null;
  /** The entity with this transaction's steps applied (upstream's updated-entities-map). */
  updated(etype: string, eid: Eid): Obj | null;
  params(etype: string, eid: Eid): Obj | undefined;
  modifiedFields(eid: Eid): string[];
};

/** A link step's other end: its entity id, its params, and the link or unlink rule of each side (if set). */
function linkSides(s: TripleStep, revEtype: string, d: CheckData, action: 'link' | 'unlink') {
  const target = s.value as Eid;
  return {
    target,
    revParams: d.params(revEtype, target),
    fwdProgram: d.perms.linkProgram(s.etype, s.label, action),
    revProgram: d.perms.linkProgram(revEtype, s.attr['reverse-identity']![2], action),
  };
}

export function preChecks(steps: Step[], d: CheckData): Check[] {
  const out: Check[] = [];
  for (const s of steps) {
    if (s.op === 'delete-entity') {
      if (!s.etype) continue;
      const vars = { data: d.before(s.etype, s.eid) ?? {}, ruleParams: d.params(s.etype, s.eid) };
      out.push(check(s.etype, d.perms.program(s.etype, 'delete'), vars));
      continue;
    }
    if (!isTriple(s)) continue;
    const entity = d.before(s.etype, s.eid);
    const params = d.params(s.etype, s.eid);
    const update = (ruleParams = params) =>
      check(s.etype, d.perms.program(s.etype, 'update'), {
        data: entity,
        newData: d.updated(s.etype, s.eid),
        ruleParams,
        modifiedFields: d.modifiedFields(s.eid),
      });
    if (s.revEtype && s.op !== 'deep-merge-triple') {
      const action = s.op === 'add-triple' ? 'link' : 'unlink';
      const { target, revParams, fwdProgram, revProgram } = linkSides(s, s.revEtype, d, action);
      const rev = d.before(s.revEtype, target);
      if (fwdProgram || revProgram) {
        if (entity && fwdProgram) {
          out.push(
            check(s.etype, fwdProgram, {
              data: entity,
              newData: d.updated(s.etype, s.eid),
              linkedData: rev,
              ruleParams: { ...revParams, ...params },
              ...(action === 'link' ? { actions: { data: 'update', linkedData: rev ? 'update' : 'create' } } : {}),
            }),
          );
        }
        if (rev && revProgram) {
          out.push(
            check(s.revEtype, revProgram, {
              data: rev,
              newData: d.updated(s.revEtype, target),
              ruleParams: { ...params, ...revParams },
              ...(action === 'link'
                ? {
                    linkedData: d.updated(s.etype, s.eid),
                    actions: { data: 'update', linkedData: entity ? 'update' : 'create' },
                  }
                : { linkedData: entity }),
            }),
          );
        }
      } else {
        if (entity) out.push(update({ ...revParams, ...params }));
        if (rev) {
          const vars = { data: rev, newData: d.updated(s.revEtype, target), ruleParams: { ...params, ...revParams } };
          out.push(check(s.revEtype, d.perms.program(s.revEtype, 'view'), vars));
        }
      }
      continue;
    }
    // As on Instant's server, only add and merge steps ask the update rule: a client's retract of a
    // plain field is checked by no rule (a required field still cannot go: the required check after
    // the write refuses it). See notes/transaction.md.
    if (entity && s.op !== 'retract-triple') out.push(update());
  }
  return out;
}

/** Create checks and links to new entities; `after` gives the entity with its id resolved. */
export function postChecks(steps: Step[], d: CheckData & { after(etype: string, eid: Eid): Obj | null }): Check[] {
  const out: Check[] = [];
  for (const s of steps) {
    if (!isTriple(s) || s.op === 'retract-triple') continue;
    const created = !d.before(s.etype, s.eid);
    if (created && s.etype === '$users') {
      throw validationError('tx-step', s.raw, [
        "$users is a system entity. You aren't allowed to create this directly.",
      ]);
    }
    const data = d.after(s.etype, s.eid);
    const params = d.params(s.etype, s.eid);
    const create = (ruleParams: Obj | undefined) =>
      check(s.etype, d.perms.program(s.etype, 'create'), {
        data,
        newData: data,
        ruleParams,
        modifiedFields: d.modifiedFields(s.eid),
      });
    if (s.revEtype && s.op === 'add-triple') {
      const { target, revParams, fwdProgram, revProgram } = linkSides(s, s.revEtype, d, 'link');
      const revBefore = d.before(s.revEtype, target);
      const rev = d.after(s.revEtype, target);
      if (fwdProgram || revProgram) {
        if (created && fwdProgram) {
          out.push(
            check(s.etype, fwdProgram, {
              data,
              newData: data,
              linkedData: rev,
              ruleParams: { ...revParams, ...params },
              actions: { data: 'create', linkedData: revBefore ? 'update' : 'create' },
            }),
          );
        }
        if (rev && !revBefore && revProgram) {
          out.push(
            check(s.revEtype, revProgram, {
              data: rev,
              newData: rev,
              linkedData: data,
              ruleParams: { ...params, ...revParams },
              actions: { data: 'create', linkedData: created ? 'create' : 'update' },
            }),
          );
        }
      } else {
        if (created) out.push(create({ ...revParams, ...params }));
        if (rev && !revBefore) {
          const vars = { data: rev, newData: rev, ruleParams: { ...params, ...revParams } };
          out.push(check(s.revEtype, d.perms.program(s.revEtype, 'view'), vars));
        }
      }
      continue;
    }
    if (created) out.push(create(params));
  }
  return out;
}

/** Runs checks in order; the first that does not pass refuses the transaction. */
export function runChecks(
  checks: Check[],
  perms: Permissions,
  user: AuthUser,
  request: { request?: RequestInfo; showCelErrors?: boolean },
) {
  const seen = new Set<string>();
  for (const c of checks) {
    // Identical checks (one per step of one entity) are evaluated once, as Instant's `distinct`.
    const key = safeKey(c);
    if (key && seen.has(key)) continue;
    if (key) seen.add(key);
    if (!perms.check(c.program, user, { ...c.vars, ...request })) throw permissionDenied(c.etype);
  }
}

function safeKey(c: Check): string | undefined {
  try {
    return JSON.stringify([c.etype, c.program?.path, c.program?.rule, c.vars]);
  } catch {
    return undefined;
  }
}
