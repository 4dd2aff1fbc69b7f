import { describe, expect, it } from 'vitest';
import {
  FAULT_LOG_LIMIT,
  FaultPlan,
  faultDraw,
  isRandomUuid,
  pickFault,
  seededBytes,
  seededUuid,
  stableText,
} from './fault-plan.ts';

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

  it('lists the newest FAULT_LOG_LIMIT faults, and counts every one', () => {
    const p = new FaultPlan(KINDS, { hangMs: 0 }, { seed: 1, rules: [{ path: '*', rates: { a: 1 } }] });
    const total = FAULT_LOG_LIMIT + 7;
    for (let n = 0; n < total; n++) p.choose('/x', `req-${n}`);
    const { faults, injected } = p.snapshot();
    expect(injected).toEqual({ a: total });
    expect(faults).toHaveLength(FAULT_LOG_LIMIT);
    expect(faults[0]).toEqual({ kind: 'a', identity: 'req-7', attempt: 1 });
    expect(faults.at(-1)).toEqual({ kind: 'a', identity: `req-${total - 1}`, attempt: 1 });
    p.off();
    expect(p.snapshot().faults).toEqual([]);
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

describe('stable identities', () => {
  it('lists each injected fault with its identity and attempt', () => {
    const p = new FaultPlan(['a', 'b'], { hangMs: 0 }, { rules: [{ path: '*', rates: { a: 1 } }] });
    p.choose('/t', 'one');
    p.choose('/t', 'one');
    expect(p.snapshot().faults).toEqual([
      { kind: 'a', identity: 'one', attempt: 1 },
      { kind: 'a', identity: 'one', attempt: 2 },
    ]);
    p.off();
    expect(p.snapshot().faults).toEqual([]);
  });

  it('reads content without key order or loopback ports', () => {
    expect(stableText({ b: 1, a: { d: 'http://127.0.0.1:4321/x', c: [2] } })).toBe(
      stableText({ a: { c: [2], d: 'http://127.0.0.1:9999/x' }, b: 1 }),
    );
    expect(stableText({ a: 1 })).not.toBe(stableText({ a: 2 }));
    expect(isRandomUuid('0b6a3c1e-8f0d-4a5b-9c2d-1e2f3a4b5c6d')).toBe(true);
    expect(isRandomUuid(seededUuid('s', 'k'))).toBe(false);
  });

  it('derives the same ids from the same seed and key, others from others', () => {
    expect(seededUuid('s', 'k')).toBe(seededUuid('s', 'k'));
    expect(seededUuid('s', 'k')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set([seededUuid('s', 'k'), seededUuid('t', 'k'), seededUuid('s', 'l')]).size).toBe(3);
    expect(seededBytes('s', 'k', 100)).toHaveLength(100);
  });
});
