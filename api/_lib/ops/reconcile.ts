// Brings Instant to the state Stripe implies, for when webhooks were missed. It never decides a
// purchase's state itself: every Checkout Session that completed or expired since `since`, and
// every session behind a handled event since then (a refund or dispute of an older purchase, a
// delayed payment that settled), goes through the one fulfillment path the webhook uses
// (fulfillment/fulfill-checkout.ts says why that is safe to repeat). Then receipts that failed
// (or whose send never finished) are re-sent through claims (receipts/send-again.ts). So any
// number of runs, alongside live webhooks, converge on one state and never send or grant twice. What changed is found by comparing each purchase before and after.
// Purchases written before the overview's derived fields (fulfillment/derived-fields.ts) go
// through the same path, a bounded batch per run (each after where the last one stopped), which
// writes them. Every run is stored with its findings (drift-report.ts).
import type Stripe from 'stripe';
import { fulfillCheckout, unlinkThenFulfill } from '../fulfillment/fulfill-checkout.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { needsResend, resendReceipt, type ResendResult } from '../receipts/send-again.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { sessionOfEvent } from '../fulfillment/process-event.ts';
import type { DriftFindingKind, ReconcileReport, Repair } from '../../../contracts/ops.ts';
import { prune } from './prune.ts';
import { NEVER_PAID } from '../fulfillment/purchase-status.ts';
import { HANDLED_STRIPE_EVENTS } from '../fulfillment/handled-events.ts';
import { finding, lastBackfillPosition, recordRun, triggerOf, type Finding } from './drift-report.ts';
import { scanPage, type Position, type ScanOptions } from '../platform/scan.ts';

/** Purchases without derived fields one run backfills; the next run takes the next batch. */
const BACKFILL_BATCH = 200;

export type { ReconcileReport, Repair } from '../../../contracts/ops.ts';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `30m`, `7d` (ago) or an ISO date; Stripe keeps events for 30 days. */
export function parseSince(input: string | undefined, now = Date.now()): Date {
  const text = (input ?? '24h').trim();
  const rel = /^(\d+)\s*([mhd])$/.exec(text);
  const date = rel ? new Date(now - Number(rel[1]) * UNITS[rel[2]]) : new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new HttpError(400, `since must be an ISO date or a duration such as 24h, 30m or 7d (got "${text}").`);
  if (date.getTime() > now) throw new HttpError(400, 'since must be in the past.');
  return date;
}

export async function reconcile({
  since,
  by,
  concurrency = 4,
  backfillBatch = BACKFILL_BATCH,
}: {
  since: Date;
  by: string;
  concurrency?: number;
  backfillBatch?: number;
}): Promise<ReconcileReport> {
  const startedAt = new Date();
  const stripe = getStripe();
  const gte = Math.floor(since.getTime() / 1000);
  const sessionIds = new Set<string>();
  let sessionsChecked = 0;
  // The SDK's auto-pagination walks the list with `starting_after`.
  for await (const s of stripe.checkout.sessions.list({ created: { gte }, limit: 100 })) {
    sessionsChecked++;
    if (s.status === 'complete' || s.status === 'expired') sessionIds.add(s.id);
  }
  let eventsChecked = 0;
  const events: Stripe.Event[] = [];
  for await (const e of stripe.events.list({ created: { gte }, types: [...HANDLED_STRIPE_EVENTS], limit: 100 })) {
    eventsChecked++;
    events.push(e);
  }
  const errors: ReconcileReport['errors'] = [];
  await pool(events, concurrency, async (e) => {
    try {
      const id = await sessionOfEvent(e);
      if (id) sessionIds.add(id);
    } catch (err) {
      errors.push({ target: e.id, error: (err as Error).message });
    }
  });

  // Unpaid purchases that an older version linked to their wallpapers before payment, whatever
  // their age (open sessions included): unlinked now, then fulfilled, which re-reads Stripe and
  // links again if the session is paid by then (unlinkThenFulfill), so each is found once.
  const unlink = await unpaidButLinked();
  for (const id of unlink.keys()) sessionIds.add(id);
  const backfill = await withoutDerivedFields(backfillBatch);
  for (const id of backfill.sessionIds) sessionIds.add(id);

  const repaired: Repair[] = [];
  const findings: Finding[] = [];
  await pool([...sessionIds], concurrency, async (sessionId) => {
    try {
      const before = await snapshot(sessionId);
      const linked = unlink.get(sessionId);
      await (linked ? unlinkThenFulfill(sessionId, linked) : fulfillCheckout(sessionId));
      const after = await snapshot(sessionId);
      const changes = diff(before, after);
      if (changes.length) repaired.push({ sessionId, email: after.email, changes: changes.map((c) => c.detail) });
      for (const c of changes) findings.push(finding(c.kind, c.detail, { sessionId, email: after.email }));
    } catch (e) {
      errors.push({ target: sessionId, error: (e as Error).message });
    }
  });

  const receiptsResent: ResendResult[] = [];
  const { receipts } = await adminDb().query({
    receipts: { $: { where: { status: { $in: ['failed', 'sending'] }, createdAt: { $gte: since } } } },
  });
  await pool(
    receipts.filter((r) => needsResend(r)),
    concurrency,
    async (r) => {
      try {
        const result = await resendReceipt(r.sessionId, by);
        if (result.result === 'skipped') return;
        receiptsResent.push(result);
        findings.push(
          finding('missing-receipt', `receipt re-sent: ${result.result}${result.reason ? ` (${result.reason})` : ''}`, {
            sessionId: r.sessionId,
            email: result.to,
          }),
        );
      } catch (e) {
        errors.push({ target: r.sessionId, error: (e as Error).message });
      }
    },
  );

  const pruned = await prune();
  const report = {
    since: since.toISOString(),
    sessionsChecked,
    eventsChecked,
    repaired,
    receiptsResent,
    errors,
    pruned,
  };
  const runId = await recordRun(
    {
      trigger: triggerOf(by),
      since: report.since,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      sessionsChecked,
      eventsChecked,
      findings,
      errors: errors.length,
    },
    { backfillAfter: backfill.next },
  );
  return { ...report, runId, findings };
}

/**
 * Sessions of purchases written before the derived fields existed: one batch, oldest first, after
 * where the previous run's batch ended (from the oldest again once the end was reached), so a
 * batch that fails every run does not stop the rest. `next`: where this batch ended.
 */
async function withoutDerivedFields(batch: number): Promise<{ sessionIds: string[]; next: Position | null }> {
  const o: ScanOptions = {
    ns: 'purchases',
    field: 'createdAt',
    where: { refundedAmount: { $isNull: true } },
    fields: ['sessionId'],
    pageSize: batch,
  };
  const after = await lastBackfillPosition();
  let page = await scanPage(o, after);
  if (after && !page.rows.length) page = await scanPage(o, null);
  return { sessionIds: page.rows.map((r) => String(r.sessionId)), next: page.next };
}

/** Session id → the wallpapers its unpaid purchase is linked to. */
async function unpaidButLinked(): Promise<Map<string, string[]>> {
  const { purchases } = await adminDb().query({
    purchases: {
      $: {
        where: { status: { $in: ['pending', ...NEVER_PAID] }, 'wallpapers.id': { $isNull: false } },
        fields: ['sessionId'],
      },
      wallpapers: { $: { fields: ['id'] } },
    },
  });
  return new Map(purchases.map((p) => [p.sessionId, p.wallpapers.map((w) => w.id)]));
}

type Snapshot = {
  status: string | null;
  access: boolean;
  linked: number;
  email: string | null;
  receipt: string | null;
  ledger: string[];
  plan: string | null;
  derived: boolean;
};

async function snapshot(sessionId: string): Promise<Snapshot> {
  const { purchases, receipts, ledgerEntries } = await adminDb().query({
    purchases: { $: { where: { sessionId } }, owner: {}, wallpapers: { $: { fields: ['id'] } } },
    receipts: { $: { where: { sessionId } } },
    ledgerEntries: { $: { where: { sessionId } } },
  });
  const p = purchases[0];
  const owner = p?.owner;
  return {
    status: p?.status ?? null,
    access: Boolean(p?.unlockToken),
    linked: p?.wallpapers?.length ?? 0,
    email: p?.email ?? null,
    receipt: receipts[0]?.status ?? null,
    ledger: ledgerEntries.map((e) => `${e.ref} ${e.amount > 0 ? '+' : ''}${e.amount}`).sort(),
    plan: owner?.plan ?? null,
    derived: typeof p?.refundedAmount === 'number',
  };
}

function diff(a: Snapshot, b: Snapshot): Change[] {
  const out: Change[] = [];
  const add = (kind: DriftFindingKind, detail: string) => out.push({ kind, detail });
  if (a.status !== b.status)
    add(a.status ? 'stale-status' : 'missed-event', `status ${a.status ?? 'missing'} → ${b.status}`);
  if (a.access !== b.access) add('stale-status', b.access ? 'access granted' : 'access revoked');
  if (a.linked && !b.linked) add('stale-status', `unpaid: unlinked from ${a.linked} wallpapers`);
  if (a.receipt !== b.receipt) add('missing-receipt', `receipt ${a.receipt ?? 'none'} → ${b.receipt}`);
  for (const entry of b.ledger.filter((x) => !a.ledger.includes(x))) add('ledger-entry-added', `ledger ${entry}`);
  if (a.plan !== b.plan) add('stale-status', `plan ${a.plan ?? 'none'} → ${b.plan ?? 'none'}`);
  if (a.status && !a.derived && b.derived)
    add('derived-fields', 'derived fields written (refunded, disputed, pending kind)');
  return out;
}

type Change = { kind: DriftFindingKind; detail: string };

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
