// The audit trail: every operator action (page, API or CLI) is recorded with who, what, which
// target, when and how it ended. Entries are only ever added.
import { id as newId } from '@instantdb/admin';
import { adminDb } from '../platform/instant-admin.ts';

import type { OpsAction } from '../../../contracts/ops.ts';

export type { OpsAction } from '../../../contracts/ops.ts';

const MAX_DETAIL = 2000;

export async function recordOpsAction(a: {
  operator: string;
  action: string;
  target?: string | null;
  detail?: string | null;
  ok: boolean;
}): Promise<void> {
  const db = adminDb();
  await db.transact(
    db.tx.opsActions[newId()].create({
      operator: a.operator,
      action: a.action,
      ...(a.target ? { target: a.target.slice(0, 300) } : {}),
      ...(a.detail ? { detail: a.detail.slice(0, MAX_DETAIL) } : {}),
      ok: a.ok,
      createdAt: Date.now(),
    }),
  );
}

/** Runs an action and records it, whether it succeeds or throws (the error is rethrown). */
export async function audited<T>(
  operator: string,
  action: string,
  target: string | null,
  fn: () => Promise<T>,
  describe: (result: T) => string | null = () => null,
): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await recordOpsAction({ operator, action, target, detail: (e as Error).message, ok: false });
    throw e;
  }
  await recordOpsAction({ operator, action, target, detail: describe(result), ok: true });
  return result;
}

export async function listOpsActions({
  limit = 100,
  operator,
  action,
}: { limit?: number; operator?: string; action?: string } = {}): Promise<OpsAction[]> {
  const where = { ...(operator ? { operator } : {}), ...(action ? { action } : {}) };
  const { opsActions } = await adminDb().query({ opsActions: { $: { where, order: { createdAt: 'desc' }, limit } } });
  return opsActions;
}
