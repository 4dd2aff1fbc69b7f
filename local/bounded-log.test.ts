import { describe, expect, it } from 'vitest';
import { BoundedLog } from './bounded-log.ts';

const filled = (limit: number, n: number) => {
  const log = new BoundedLog<number>(limit);
  for (let i = 0; i < n; i++) log.push(i);
  return log;
};

describe('BoundedLog', () => {
  it.each([0, 1, 4, 5, 6, 9, 10, 11, 23])('after %i appends keeps exactly the newest 5, oldest first', (n) => {
    const log = filled(5, n);
    const want = Array.from({ length: n }, (_, i) => i).slice(-5);
    expect(log.toArray()).toEqual(want);
    expect(log.length).toBe(want.length);
  });

  it('finds the newest match among the kept entries only', () => {
    const log = filled(5, 12); // keeps 7..11, may still hold older ones internally
    expect(log.findLast((x) => x % 2 === 0)).toBe(10);
    expect(log.findLast((x) => x === 7)).toBe(7);
    expect(log.findLast((x) => x === 6)).toBeUndefined();
    expect(log.findLast((x) => x === 0)).toBeUndefined();
  });

  it('hands out copies, and clears', () => {
    const log = filled(3, 3);
    log.toArray().push(99);
    expect(log.toArray()).toEqual([0, 1, 2]);
    log.clear();
    expect(log.toArray()).toEqual([]);
    expect(log.length).toBe(0);
  });

  it('refuses a limit that keeps nothing', () => {
    expect(() => new BoundedLog(0)).toThrow(RangeError);
  });
});
