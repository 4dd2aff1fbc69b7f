// The order `release('shuffle', seed)` sends held deliveries in: drawn from the seed alone, a
// total order (ties keep their held order), so a chaos run's seed replays the same order.
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../faults/fault-plan.ts';
import { WEBHOOK_FAULTS } from './faults.ts';
import { byRank, seededOrder, WebhookDispatcher } from './webhooks.ts';

type Item = { id: string; n: number };
const items = (ids: string[]): Item[] => ids.map((id, n) => ({ id, n }));
const byId = (x: Item) => x.id;
const ids = Array.from({ length: 40 }, (_, i) => `evt_${i}`);

describe('seededOrder', () => {
  it('gives one seed one order, twice and whatever the arrival order', () => {
    const once = seededOrder(items(ids), 's1', byId).map(byId);
    expect(seededOrder(items(ids), 's1', byId).map(byId)).toEqual(once);
    expect(seededOrder(items([...ids].reverse()), 's1', byId).map(byId)).toEqual(once);
    expect([...once].sort()).toEqual([...ids].sort());
    expect(once).not.toEqual(ids);
  });

  it('sorts with a consistent comparator: antisymmetric, 0 only for an item against itself', () => {
    const keyed = [
      { rank: 'aa', i: 0 },
      { rank: 'aa', i: 1 },
      { rank: 'ab', i: 2 },
    ];
    for (const a of keyed) {
      for (const b of keyed) {
        expect(Math.sign(byRank(a, b)) + Math.sign(byRank(b, a))).toBe(0);
        expect(byRank(a, b) === 0).toBe(a === b);
      }
    }
  });

  it('gives another seed another order', () => {
    expect(seededOrder(items(ids), 's2', byId).map(byId)).not.toEqual(seededOrder(items(ids), 's1', byId).map(byId));
  });

  it('keeps ties (one identity) in their held order, wherever they land', () => {
    // 10 identities, 30 copies each, interleaved: 300 items, past the engine's small-array sort.
    const tied = items(Array.from({ length: 300 }, (_, i) => `evt_${i % 10}`));
    const out = seededOrder(tied, 'ties', byId);
    for (let k = 0; k < 10; k++) {
      const held = out.filter((x) => x.id === `evt_${k}`).map((x) => x.n);
      expect(held).toEqual([...held].sort((a, b) => a - b));
      expect(held).toHaveLength(30);
    }
    // Each identity's copies sit together, in the seed's order of identities.
    const groups = out.map(byId).filter((id, i, all) => all[i - 1] !== id);
    expect(groups).toEqual(seededOrder(items(ids.slice(0, 10)), 'ties', byId).map(byId));
  });
});

describe('release("shuffle")', () => {
  /** The order a dispatcher sends held deliveries in (each fails by injected fault: no endpoint needed). */
  async function released(jobs: { eventId: string; eventType: string }[], seed: string): Promise<string[]> {
    const faults = new FaultPlan(WEBHOOK_FAULTS, { hangMs: 0 }, { rules: [{ path: '*', rates: { fail: 1 } }] });
    const dispatcher = new WebhookDispatcher({ maxAttempts: 1 }, faults);
    dispatcher.hold();
    for (const j of jobs) {
      dispatcher.send({
        ...j,
        payload: () => '{}',
        target: { id: 'we_1', url: 'http://127.0.0.1:9/webhook', secret: 'whsec_test' },
        copy: 0,
        onSuccess: () => {},
      });
    }
    expect(dispatcher.release('shuffle', seed)).toBe(jobs.length);
    while (dispatcher.log.length < jobs.length) await new Promise((r) => setImmediate(r));
    const order = dispatcher.log.map((a) => `${a.event_id}/${a.event_type}`);
    dispatcher.close();
    return order;
  }

  it('sends the same held deliveries, duplicates included, in the same order for the same seed', async () => {
    // The same event held twice for one endpoint (as a resend while held does): a tie.
    const jobs = [...ids.slice(0, 12), 'evt_3', 'evt_7'].map((eventId, n) => ({ eventId, eventType: `t${n}` }));
    const first = await released(jobs, 'chaos-7');
    expect(await released(jobs, 'chaos-7')).toEqual(first);
    expect(await released([...jobs.slice(0, 12)].reverse().concat(jobs.slice(12)), 'chaos-7')).toEqual(first);
    expect(first.filter((x) => x.startsWith('evt_3/'))).toEqual(['evt_3/t3', 'evt_3/t12']);
    expect(first.filter((x) => x.startsWith('evt_7/'))).toEqual(['evt_7/t7', 'evt_7/t13']);
  });
});
