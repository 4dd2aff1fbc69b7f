// The drift report: every reconcile run (an operator's, the daily cron's, the CLI's) is stored in
// `reconcileRuns` with what it found out of step with Stripe and what it repaired, for the
// overview's "last runs". Operators only (instant.perms.ts hides the entity from every client).
import { id as newId } from '@instantdb/admin';
import type { DriftFindingKind, DriftRun } from '../../../contracts/ops.ts';
import { adminDb } from '../platform/instant-admin.ts';
import type { Position } from '../platform/scan.ts';

export type Finding = DriftRun['findings'][number];

/** A run keeps this many findings (the count says how many there were). */
const MAX_FINDINGS = 500;

/** `operator:<email>`, `cron`, `cli:<user>`, from who ran reconcile. */
export function triggerOf(by: string): string {
  return by === 'cron' || by.startsWith('cli:') || by.startsWith('operator:') ? by : `operator:${by}`;
}

export async function recordRun(
  run: Omit<DriftRun, 'id' | 'findingsCount'>,
  { backfillAfter }: { backfillAfter: Position | null },
): Promise<string> {
  const db = adminDb();
  const id = newId();
  await db.transact(
    db.tx.reconcileRuns[id].create({
      ...(backfillAfter ? { backfillAfter } : {}),
      trigger: run.trigger,
      since: run.since,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      sessionsChecked: run.sessionsChecked,
      eventsChecked: run.eventsChecked,
      findings: run.findings.slice(0, MAX_FINDINGS),
      findingsCount: run.findings.length,
      errors: run.errors,
    }),
  );
  return id;
}

/** Findings of each run the overview shows; `findingsCount` says how many there were. */
const SHOWN_FINDINGS = 20;

export async function lastRuns(limit = 5): Promise<DriftRun[]> {
  const { reconcileRuns } = await adminDb().query({
    reconcileRuns: { $: { order: { startedAt: 'desc' }, limit } },
  });
  const iso = (v: string | number) => new Date(v).toISOString();
  return reconcileRuns.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    since: iso(r.since),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    sessionsChecked: r.sessionsChecked,
    eventsChecked: r.eventsChecked,
    findings: ((r.findings ?? []) as Finding[]).slice(0, SHOWN_FINDINGS),
    findingsCount: r.findingsCount,
    errors: r.errors,
  }));
}

export const finding = (
  kind: DriftFindingKind,
  detail: string,
  of: { sessionId?: string; email?: string | null } = {},
) => ({
  kind,
  detail,
  ...(of.sessionId ? { sessionId: of.sessionId } : {}),
  ...(of.email ? { email: of.email } : {}),
});

/** Where the newest run's backfill stopped (null: start at the oldest). */
export async function lastBackfillPosition(): Promise<Position | null> {
  const { reconcileRuns } = await adminDb().query({
    reconcileRuns: { $: { order: { startedAt: 'desc' }, limit: 1, fields: ['backfillAfter'] } },
  });
  const p = reconcileRuns[0]?.backfillAfter as Partial<Position> | null | undefined;
  return typeof p?.at === 'number' && typeof p.id === 'string' ? { at: p.at, id: p.id } : null;
}
