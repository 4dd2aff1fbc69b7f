// The drift report: every reconcile (operator, CLI, cron: cron.test.ts) stores what it found out
// of step with Stripe and what it repaired in `reconcileRuns`, which the overview shows and no
// client can read or write; purchases written before the derived fields get them from reconcile.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { frameSocket } from '../../local/instant/frame-socket.test-support.ts';
import { reconcile } from '../../api/_lib/ops/reconcile.ts';
import { runCli } from '../../scripts/ops.ts';
import type { OverviewResult, ReconcileReport } from '../../contracts/ops.ts';
import { ops, withOperatorShop } from '../support/ops.ts';
import {
  buy,
  creditsCheckout,
  guestCheckout,
  paymentIntentOf,
  purchaseOf,
  setWebhooks,
  signIn,
  type SignedIn,
} from '../support/shop.ts';
import type { ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
withOperatorShop((s) => ({ shop, operator } = s));

const kindsOf = (r: ReconcileReport, sessionId: string) =>
  [...new Set(r.findings.filter((f) => f.sessionId === sessionId).map((f) => f.kind))].sort();

describe('drift report', () => {
  it('stores each run with what it found and repaired, and the overview shows the last runs', async () => {
    await setWebhooks(shop, false);
    const buyer = await signIn(shop, 'drift@example.com');
    const credits = await creditsCheckout(shop, buyer);
    const guest = await guestCheckout(shop, 'wallpapers-warm', 'drift-guest@example.com');
    await shop.stripeLocal.whenDeliveriesIdle();
    await setWebhooks(shop, true);

    const report = await ops<ReconcileReport>(shop, operator, 'reconcile', { since: '1h' });
    expect(kindsOf(report, credits)).toEqual(['ledger-entry-added', 'missing-receipt', 'stale-status']);
    expect(kindsOf(report, guest.sessionId)).toEqual(['missing-receipt', 'stale-status']);
    expect(report.findings).toContainEqual({
      kind: 'stale-status',
      sessionId: credits,
      email: buyer.email,
      detail: 'status pending → paid',
    });

    const { reconcileRuns } = await shop.admin.query({ reconcileRuns: { $: { where: { id: report.runId } } } });
    expect(reconcileRuns[0]).toMatchObject({
      trigger: `operator:${operator.email}`,
      findings: report.findings,
      findingsCount: report.findings.length,
      sessionsChecked: report.sessionsChecked,
      eventsChecked: report.eventsChecked,
      errors: 0,
    });

    // Nothing is out of step any more: the next run (from the CLI) finds nothing.
    const { result } = await runCli(['reconcile', '--since', '1h'], 'cli:tester');
    const again = result as ReconcileReport;
    expect(again.findings).toEqual([]);
    const o = await ops<OverviewResult>(shop, operator, 'overview', { range: 'today', timeZone: 'UTC' });
    expect(o.reconcileRuns.map((r) => [r.id, r.trigger, r.findings.length, r.findingsCount])).toEqual([
      [again.runId, 'cli:tester', 0, 0],
      [report.runId, `operator:${operator.email}`, report.findings.length, report.findings.length],
    ]);
    expect(Date.parse(o.reconcileRuns[1].finishedAt)).toBeGreaterThanOrEqual(Date.parse(o.reconcileRuns[1].startedAt));
  });

  it('backfills the derived fields of purchases written without them, once', async () => {
    const partial = (await buy(shop, 'field-guide', 'old-partial@example.com')).sessionId;
    await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, partial)).pi, amount: 75 });
    const open = (await guestCheckout(shop, 'wallpapers-warm')).sessionId;
    await shop.stripeLocal.whenDeliveriesIdle();
    // As a version before the overview wrote them.
    const clear = { refundedAmount: null, disputedAmount: null, openDisputes: null, pendingKind: null } as never;
    const ids = [(await purchaseOf(shop, partial)).id, (await purchaseOf(shop, open)).id];
    await shop.admin.transact(ids.map((id) => shop.admin.tx.purchases[id].update(clear)));
    expect(await purchaseOf(shop, partial)).not.toHaveProperty('refundedAmount');

    const first = await ops<ReconcileReport>(shop, operator, 'reconcile', { since: '1h' });
    for (const s of [partial, open])
      expect(first.findings.filter((f) => f.sessionId === s && f.kind === 'derived-fields')).toHaveLength(1);
    expect(await purchaseOf(shop, partial)).toMatchObject({
      status: 'paid',
      refundedAmount: 75,
      disputedAmount: 0,
      openDisputes: 0,
    });
    expect(await purchaseOf(shop, open)).toMatchObject({
      status: 'pending',
      refundedAmount: 0,
      pendingKind: 'open-checkout',
    });

    const second = await ops<ReconcileReport>(shop, operator, 'reconcile', { since: '1h' });
    expect(second.findings.filter((f) => f.kind === 'derived-fields')).toEqual([]);
    expect(await purchaseOf(shop, partial)).toMatchObject({ refundedAmount: 75 });
  });

  it('continues each backfill after where the last one stopped, so purchases Stripe no longer has hold none back', async () => {
    // The oldest of all: purchases whose sessions Stripe no longer has (test-mode ones under live
    // keys, say), so their backfill fails every run.
    const gone = [0, 1].map((i) => ({
      id: randomUUID(),
      sessionId: `cs_gone_${randomUUID()}`,
      at: Date.UTC(2001, 0, 1) + i,
    }));
    await shop.admin.transact(
      gone.map((g) =>
        shop.admin.tx.purchases[g.id].create({
          sessionId: g.sessionId,
          token: randomUUID(),
          status: 'paid',
          createdAt: g.at,
          updatedAt: g.at,
        }),
      ),
    );
    try {
      const kept = (await buy(shop, 'field-guide', 'old-kept@example.com')).sessionId;
      await shop.stripeLocal.whenDeliveriesIdle();
      const clear = { refundedAmount: null, disputedAmount: null, openDisputes: null, pendingKind: null } as never;
      await shop.admin.transact(shop.admin.tx.purchases[(await purchaseOf(shop, kept)).id].update(clear));
      // Only the backfill, two purchases a run: `since` (whole seconds at Stripe) is past every
      // session and event made here, so none is swept.
      const since = new Date(Date.now() + 2000);
      const run = () => reconcile({ since, by: 'cli:tester', backfillBatch: 2 });
      const failed = (r: ReconcileReport) => r.errors.map((e) => e.target).sort();
      const goneIds = gone.map((g) => g.sessionId).sort();

      expect(await purchaseOf(shop, kept)).not.toHaveProperty('refundedAmount');
      expect(failed(await run())).toEqual(goneIds);
      expect(await purchaseOf(shop, kept)).not.toHaveProperty('refundedAmount');
      // The next run starts after them, and reaches the purchase Stripe has.
      const second = await run();
      expect(failed(second)).toEqual([]);
      expect(second.findings).toContainEqual(expect.objectContaining({ kind: 'derived-fields', sessionId: kept }));
      expect(await purchaseOf(shop, kept)).toMatchObject({ refundedAmount: 0, disputedAmount: 0 });
      // Past the end, it starts at the oldest again.
      expect(failed(await run())).toEqual(goneIds);
    } finally {
      await shop.admin.transact(gone.map((g) => shop.admin.tx.purchases[g.id].delete()));
    }
  });
});

describe('reconcile runs in queries', () => {
  it('are invisible to a guest, a signed-in non-operator and an operator signed in as a client, through the SDKs', async () => {
    const { reconcileRuns } = await shop.admin.query({ reconcileRuns: {} });
    expect(reconcileRuns.length).toBeGreaterThan(0);
    const buyer = await signIn(shop, 'curious@example.com');
    for (const as of [{ guest: true as const }, { token: buyer.token }, { token: operator.token }]) {
      const seen = await shop.admin.asUser(as).query({ reconcileRuns: {} });
      expect(seen, JSON.stringify(as)).toEqual({ reconcileRuns: [] });
    }
    const client = shop.client();
    const { data } = await client.queryOnce({ reconcileRuns: {} });
    expect(data.reconcileRuns).toEqual([]);
  });

  it('are invisible over raw WebSocket frames, as a stranger and signed in', async () => {
    const buyer = await signIn(shop, 'frames@example.com');
    for (const [who, init] of [
      ['stranger', {}],
      ['signed in', { 'refresh-token': buyer.token }],
    ] as const) {
      const socket = await frameSocket(shop.instant);
      try {
        socket.send({ op: 'init', 'app-id': shop.instant.appId, 'client-event-id': 'init', ...init });
        await socket.next((m) => m.op === 'init-ok');
        socket.send({ op: 'add-query', q: { reconcileRuns: {} }, 'client-event-id': 'q' });
        const answer = await socket.next((m) => m['client-event-id'] === 'q');
        expect(answer.op, who).toBe('add-query-ok');
        expect(JSON.stringify(answer), who).not.toMatch(/operator:|cli:tester|stale-status/);
      } finally {
        socket.ws.close();
      }
    }
  });

  it('cannot be read over raw HTTP without the admin token, nor written by any client', async () => {
    const buyer = await signIn(shop, 'writer@example.com');
    for (const headers of [{}, { authorization: `Bearer ${buyer.token}` }] as Record<string, string>[]) {
      const res = await fetch(`${shop.instant.url}/admin/query?app_id=${shop.instant.appId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'app-id': shop.instant.appId, ...headers },
        body: JSON.stringify({ query: { reconcileRuns: {} } }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).not.toMatch(/operator:|cli:tester/);
    }
    const { reconcileRuns } = await shop.admin.query({ reconcileRuns: { $: { limit: 1 } } });
    const db = shop.admin.asUser({ token: buyer.token });
    const forged = {
      trigger: 'cron',
      since: Date.now(),
      startedAt: Date.now(),
      finishedAt: Date.now(),
      sessionsChecked: 0,
      eventsChecked: 0,
      findings: [],
      findingsCount: 0,
      errors: 0,
    };
    for (const step of [
      db.tx.reconcileRuns[randomUUID()].create(forged),
      db.tx.reconcileRuns[reconcileRuns[0].id].update({ findings: [] }),
      db.tx.reconcileRuns[reconcileRuns[0].id].delete(),
    ])
      await expect(db.transact(step)).rejects.toMatchObject({
        body: { type: expect.stringMatching(/permission|validation/) },
      });
    expect(
      (await shop.admin.query({ reconcileRuns: { $: { where: { id: reconcileRuns[0].id } } } })).reconcileRuns[0],
    ).toEqual(reconcileRuns[0]);
  });
});
