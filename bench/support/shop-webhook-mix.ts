// The admin calls the shop's webhook path makes against instant-local (see api/_lib/fulfillment
// and api/_lib/ops/webhook-log.ts) for a guest's wallpaper pack, with the shop's own schema and
// rules and a few thousand rows already stored, and instant-local's own process CPU per admin
// query and per admin transact. Requests are raw node:http on a keep-alive agent, so only the
// server's cost is what moves. shop-webhook-mix.test.ts runs the real webhook and checks that
// these calls still have its calls' shape (namespaces, attributes, links, order).
import { Agent } from 'node:http';
import { id } from '@instantdb/admin';
import schema from '../../instant.schema.ts';
import rules from '../../instant.perms.ts';
import { spawnInstantLocal, type SpawnedInstantLocal } from '../../local/instant/spawn.ts';
import { markWindow, readCpu } from './process-cpu.ts';
import { inFlight } from './in-flight.ts';
import { rawPostJson } from './raw-http.ts';

type Op = [string, string, string, Record<string, unknown>];

/** One admin call as the admin SDK sends it; resolves with the parsed answer, rejects on a non-200. */
export async function adminPost(server: SpawnedInstantLocal, agent: Agent, path: string, body: unknown): Promise<any> {
  const headers = { authorization: `Bearer ${server.adminToken}`, 'app-id': server.appId };
  const { status, text } = await rawPostJson(`${server.url}${path}?app_id=${server.appId}`, body, headers, agent);
  if (status !== 200) throw new Error(`${path}: status ${status}: ${text}`);
  return JSON.parse(text);
}

const transact = (s: SpawnedInstantLocal, agent: Agent, ops: Op[]) =>
  adminPost(s, agent, '/admin/transact', { steps: ops, 'throw-on-missing-attrs?': true });

/** The ids one Stripe checkout event touches (derived ids in the shop; random here). */
export type Delivery = { n: number; event: string; purchase: string; receipt: string; session: string };

const WALLPAPERS = Array.from({ length: 6 }, () => id());

export function newDelivery(n: number): Delivery {
  return {
    n,
    event: id(),
    purchase: id(),
    receipt: id(),
    session: `cs_test_${n}_${id()}`,
  };
}

/** The answer-by-id query a delivery starts with. */
export function lookupQuery(d: Delivery) {
  return {
    query: {
      appliedEvents: { $: { where: { id: d.event } } },
      purchases: { $: { where: { id: d.purchase } } },
      receipts: { $: { where: { id: d.receipt } } },
    },
    'inference?': true,
  };
}

/** A first delivery's four transacts: the purchase with its links, the receipt claim and outcome, the log entry with the applied-event claim. */
export function firstDeliveryTransacts(d: Delivery): Op[][] {
  const { n } = d;
  const now = Date.now();
  return [
    [
      [
        'update',
        'purchases',
        d.purchase,
        {
          sessionId: d.session,
          token: `tok-${n}`,
          unlockToken: `tok-${n}`,
          status: 'paid',
          email: `buyer${n}@example.com`,
          productId: 'pack-1',
          purchaseType: 'pack-1',
          amount: 900,
          currency: 'usd',
          paymentIntentId: `pi_${n}`,
          unfulfilledReason: null,
          refundedAmount: 0,
          disputedAmount: 0,
          openDisputes: 0,
          pendingKind: null,
          createdAt: now - 1000,
          updatedAt: now,
        },
      ],
      ['link', 'purchases', d.purchase, { wallpapers: WALLPAPERS.slice(0, 3) }],
    ],
    [
      [
        'create',
        'receipts',
        d.receipt,
        { sessionId: d.session, to: `buyer${n}@example.com`, status: 'sending', createdAt: now, claimedBy: id() },
      ],
    ],
    [['update', 'receipts', d.receipt, { status: 'sent', sentAt: now, error: null }]],
    [webhookEntry(d, 'fulfilled'), ['create', 'appliedEvents', d.event, appliedRecord(d)]],
  ];
}

/** A duplicate of an applied event's one transact: its log entry. */
export const duplicateTransacts = (d: Delivery): Op[][] => [[webhookEntry(d, 'fulfilled')]];

function webhookEntry(d: Delivery, outcome: string): Op {
  const row = {
    type: 'checkout.session.completed',
    outcome,
    source: 'webhook',
    durationMs: 12,
    receivedAt: Date.now(),
    eventId: d.event,
    sessionId: d.session,
    purchaseStatus: 'paid',
  };
  return ['create', 'webhookEvents', id(), row];
}

const appliedRecord = (d: Delivery) => ({
  eventId: d.event,
  type: 'checkout.session.completed',
  sessionId: d.session,
  purchaseStatus: 'paid',
  appliedAt: Date.now(),
});

const instantCpu = () => readCpu().byRole['Instant server'] ?? 0;

/** Instant-local's CPU ms over `run` (a profiling window: process-cpu.ts markWindow). */
async function cpuOver(run: () => Promise<void>): Promise<number> {
  const cpu0 = instantCpu();
  await markWindow(run);
  return instantCpu() - cpu0;
}

/**
 * `existing` deliveries stored first (not measured); then `fresh` first deliveries and `dupes`
 * duplicates (after a warm-up round): their queries in one window, their transacts in another.
 */
export async function shopWebhookMix({ existing = 3000, fresh = 1500, dupes = 500, concurrency = 16 } = {}) {
  const server = await spawnInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(schema)), rules });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    await transact(
      server,
      agent,
      WALLPAPERS.map((w, k): Op => ['create', 'wallpapers', w, wallpaper(k)]),
    );
    const stored = Array.from({ length: existing }, (_, n) => newDelivery(n));
    for (let k = 0; k < stored.length; k += 100) {
      const batch = stored.slice(k, k + 100).flatMap((d) => firstDeliveryTransacts(d).flat());
      await transact(server, agent, batch);
    }
    // A round: each delivery's query, then each delivery's transacts (in order within a delivery,
    // deliveries side by side). One unmeasured round first, so the JIT and GC are past their start.
    let n = existing;
    const round = async (freshCount: number, repeated: Delivery[]) => {
      const firsts = Array.from({ length: freshCount }, () => newDelivery(n++));
      const seen = new Set(repeated);
      const queries = [...firsts, ...repeated].map((d) => async () => {
        const r = await adminPost(server, agent, '/admin/query', lookupQuery(d));
        if (r.appliedEvents.length !== (seen.has(d) ? 1 : 0))
          throw new Error(`appliedEvents for ${d.event}: ${r.appliedEvents.length}`);
      });
      const queryCpu = await cpuOver(() => inFlight(queries.length, concurrency, (i) => queries[i]()));
      const deliveries = [...firsts.map(firstDeliveryTransacts), ...repeated.map(duplicateTransacts)];
      const transactCpu = await cpuOver(() =>
        inFlight(deliveries.length, concurrency, async (i) => {
          for (const ops of deliveries[i]) await transact(server, agent, ops);
        }),
      );
      return { queryCpu, queries: queries.length, transactCpu, transacts: deliveries.flat().length };
    };
    await round(Math.ceil(fresh / 4), stored.slice(dupes, dupes + Math.ceil(dupes / 4)));
    const { queryCpu, queries, transactCpu, transacts } = await round(fresh, stored.slice(0, dupes));
    return { queryMs: queryCpu / queries, transactMs: transactCpu / transacts, queries, transacts };
  } finally {
    agent.destroy();
    await server.close();
  }
}

function wallpaper(k: number) {
  return {
    slug: `w-${k}`,
    name: `W ${k}`,
    description: 'd',
    thumbnailUrl: `/t/${k}.jpg`,
    fullResUrl: `/f/${k}.jpg`,
    order: k,
  };
}
