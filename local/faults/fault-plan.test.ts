import { describe, expect, it } from 'vitest';
import { FaultPlan, faultDraw, pickFault } from './fault-plan.ts';

const KINDS = ['a', 'b'] as const;
const plan = (seed: number) =>
  new FaultPlan(['a', 'b'], { hangMs: 0 }, { seed, rules: [{ path: '/x', rates: { a: 0.3, b: 0.3 } }] });

describe('fault plan', () => {
  it('is off until configured', () => {
    const p = new FaultPlan(['a', 'b'], { hangMs: 0 });
    expect(p.active).toBe(false);
    expect(p.choose('/x', 'id')).toBeNull();
  });

  it('picks the same faults for the same (seed, identity, attempt) whatever the arrival order', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `req-${i}`);
    const forward = plan(7);
    const backward = plan(7);
    const a = new Map(ids.map((id) => [id, [forward.choose('/x/1', id), forward.choose('/x/1', id)]]));
    const b = new Map([...ids].reverse().map((id) => [id, [backward.choose('/x/1', id), backward.choose('/x/1', id)]]));
    for (const id of ids) expect(b.get(id)).toEqual(a.get(id));
    expect(backward.snapshot().injected).toEqual(forward.snapshot().injected);
    // Rates are honoured roughly, and both kinds occur.
    const { a: na = 0, b: nb = 0 } = forward.snapshot().injected;
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(na + nb).toBeLessThan(400);
  });

  it('gives another seed other faults, and a retry a fresh draw', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `req-${i}`);
    const one = ids.map((id) => plan(1).choose('/x', id));
    const two = ids.map((id) => plan(2).choose('/x', id));
    expect(one).not.toEqual(two);
    expect(faultDraw(1, 'r', 1)).not.toBe(faultDraw(1, 'r', 2));
    expect(faultDraw(1, 'r', 1)).toBe(faultDraw(1, 'r', 1));
  });

  it('applies only to paths its rules cover', () => {
    expect(plan(1).choose('/y', 'id')).toBeNull();
    const all = new FaultPlan(['a', 'b'], { hangMs: 0 }, { rules: [{ path: '*', rates: { a: 1 } }] });
    expect(all.choose('/anything', 'id')).toBe('a');
  });

  it('splits [0, 1) between kinds in their order', () => {
    expect(pickFault(0.1, { a: 0.2, b: 0.2 }, KINDS)).toBe('a');
    expect(pickFault(0.3, { a: 0.2, b: 0.2 }, KINDS)).toBe('b');
    expect(pickFault(0.5, { a: 0.2, b: 0.2 }, KINDS)).toBeNull();
  });
});

describe('fault plan rules', () => {
  it('match a body text and stop after max faults', () => {
    const p = new FaultPlan(
      ['a', 'b'],
      { hangMs: 0 },
      { rules: [{ path: '*', match: 'ledger', max: 2, rates: { a: 1 } }] },
    );
    expect(p.choose('/t', '1', '{"purchases":1}')).toBeNull();
    expect([p.choose('/t', '2', 'ledger'), p.choose('/t', '3', 'ledger'), p.choose('/t', '4', 'ledger')]).toEqual([
      'a',
      'a',
      null,
    ]);
    expect(p.snapshot().injected).toEqual({ a: 2 });
  });
});
