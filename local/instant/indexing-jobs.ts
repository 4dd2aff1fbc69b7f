// Upstream's indexing jobs (db/indexing_jobs.clj): a schema push that adds a constraint
// (unique, required, a checked type) first checks the stored data, and a job that finds data
// breaking it errors, with samples of the offending triples, and leaves the constraint off.
// Here the check runs at once, in the same turn of the event loop as the schema change, so no
// write can slip in between; the CLI polls the group as it does against Instant.
import { randomUUID } from 'node:crypto';
import type { App } from './app.ts';
import type { Attr } from './attrs.ts';
import { checkType } from './transact.ts';
import { uniqueKey } from './triple-store.ts';
import type { JobStep } from './schema-steps.ts';

export type ClientJob = {
  id: string;
  app_id: string;
  group_id: string;
  attr_id: string;
  attr_name: string;
  job_type: string;
  job_status: 'waiting' | 'processing' | 'completed' | 'errored';
  job_stage: string | null;
  work_estimate: number | null;
  work_completed: number | null;
  error: string | null;
  checked_data_type: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
  invalid_unique_value: unknown;
  invalid_triples_sample: { entity_id: string; value: unknown; json_type: string }[] | null;
  error_data: unknown;
};

const SAMPLE = 10;

const jsonType = (v: unknown) => (v === null || v === undefined ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** What the stored data says about one constraint step: null when it holds. */
function violation(
  app: App,
  step: JobStep,
): Pick<ClientJob, 'error' | 'invalid_unique_value' | 'invalid_triples_sample' | 'error_data'> | null {
  const [, etype, label] = step.attr['forward-identity'];
  const stored = app.catalog.find(etype, label)?.attr;
  const sample = (xs: { id: string; v: unknown }[]) =>
    xs.slice(0, SAMPLE).map((r) => ({ entity_id: r.id, value: r.v ?? null, json_type: jsonType(r.v) }));
  if (step.attr['value-type'] === 'ref') return stored ? linkViolation(app, step, stored, sample) : null;
  const rows = [...app.store.all(etype)].map((e) => ({ id: e.id, v: stored ? e.fields.get(stored.id)?.v : undefined }));
  switch (step.type) {
    case 'unique': {
      const seen = new Map<string, typeof rows>();
      for (const r of rows)
        if (r.v !== undefined && r.v !== null) seen.set(uniqueKey(r.v), [...(seen.get(uniqueKey(r.v)) ?? []), r]);
      const dup = [...seen.values()].find((xs) => xs.length > 1);
      return dup
        ? {
            error: 'triple-not-unique-error',
            invalid_unique_value: dup[0].v,
            invalid_triples_sample: sample(dup),
            error_data: null,
          }
        : null;
    }
    case 'required': {
      const missing = rows.filter((r) => r.v === undefined || r.v === null);
      if (!missing.length) return null;
      return {
        error: 'missing-required-error',
        invalid_unique_value: null,
        invalid_triples_sample: missing
          .slice(0, SAMPLE)
          .map((r) => ({ entity_id: r.id, value: null, json_type: 'null' })),
        error_data: { 'entity-ids': missing.slice(0, SAMPLE).map((r) => r.id) },
      };
    }
    case 'check-data-type': {
      const probe = { ...step.attr, 'checked-data-type': step.checkedDataType } as typeof step.attr;
      const bad = rows.filter((r) => {
        try {
          checkType(probe, r.v);
          return false;
        } catch {
          return true;
        }
      });
      return bad.length
        ? {
            error: 'invalid-triple-error',
            invalid_unique_value: null,
            invalid_triples_sample: sample(bad),
            error_data: null,
          }
        : null;
    }
    default:
      return null;
  }
}

/** A link's reverse side made has-one (unique) while a target has several sources; or required while a source has none. */
function linkViolation(
  app: App,
  step: JobStep,
  attr: Attr,
  sample: (xs: { id: string; v: unknown }[]) => ClientJob['invalid_triples_sample'],
) {
  const [, etype] = attr['forward-identity'];
  if (step.type === 'unique') {
    for (const target of app.store.all(attr['reverse-identity']![1])) {
      const sources = [...app.store.linked(attr, target.id, true).keys()];
      if (sources.length > 1) {
        return {
          error: 'triple-not-unique-error',
          invalid_unique_value: target.id,
          invalid_triples_sample: sample(sources.map((id) => ({ id, v: target.id }))),
          error_data: null,
        };
      }
    }
  }
  if (step.type === 'required') {
    const missing = [...app.store.all(etype)]
      .filter((e) => !app.store.linked(attr, e.id, false).size)
      .map((e) => ({ id: e.id, v: null }));
    if (missing.length) {
      return {
        error: 'missing-required-error',
        invalid_unique_value: null,
        invalid_triples_sample: sample(missing),
        error_data: { 'entity-ids': missing.map((m) => m.id).slice(0, SAMPLE) },
      };
    }
  }
  return null;
}

/** Jobs of pushes, by group id, for the CLI to poll (kept for the life of the server). */
export class IndexingJobs {
  private readonly groups = new Map<string, { appId: string; jobs: ClientJob[] }>();

  /**
   * Checks each step against `app`'s data; returns the steps whose data allows them and the
   * group as the CLI first sees it (waiting), as upstream's apply answers before its jobs run.
   */
  run(app: App, steps: JobStep[]): { passed: JobStep[]; group: { 'group-id': string; jobs: ClientJob[] } | null } {
    if (!steps.length) return { passed: [], group: null };
    const groupId = randomUUID();
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 1).toISOString();
    const passed: JobStep[] = [];
    const waiting: ClientJob[] = [];
    const done: ClientJob[] = [];
    for (const step of steps) {
      const [, etype, label] = step.attr['forward-identity'];
      const base: ClientJob = {
        id: randomUUID(),
        app_id: app.config.id,
        group_id: groupId,
        attr_id: step.attr.id,
        attr_name: `${etype}.${label}`,
        job_type: step.type,
        job_status: 'waiting',
        job_stage: null,
        work_estimate: null,
        work_completed: null,
        error: null,
        checked_data_type: step.checkedDataType ?? null,
        created_at: now,
        updated_at: now,
        done_at: null,
        invalid_unique_value: null,
        invalid_triples_sample: null,
        error_data: null,
      };
      waiting.push(base);
      const bad = violation(app, step);
      if (!bad) passed.push(step);
      const count = app.store.count(etype);
      done.push({
        ...base,
        ...(bad ?? {}),
        job_status: bad ? 'errored' : 'completed',
        work_estimate: count,
        work_completed: count,
        updated_at: later,
        done_at: later,
      });
    }
    this.groups.set(groupId, { appId: app.config.id, jobs: done });
    return { passed, group: { 'group-id': groupId, jobs: waiting } };
  }

  group(appId: string, groupId: string): ClientJob[] {
    const g = this.groups.get(groupId);
    return g && g.appId === appId ? g.jobs : [];
  }

  job(appId: string, jobId: string): ClientJob | null {
    for (const g of this.groups.values()) if (g.appId === appId) for (const j of g.jobs) if (j.id === jobId) return j;
    return null;
  }
}
