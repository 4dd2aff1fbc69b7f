// The same seed injects the same faults into the same requests and gives the same exactness
// figures, however the run interleaves; another seed injects other faults. A small run of the
// bench:chaos scenario, three times in this process.
import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosOptions } from '../../bench/support/chaos-run.ts';

const small = (seed: string): ChaosOptions => ({ seed, guests: 5, packs: 3, plans: 2, spends: 4, watched: 1 });

describe('chaos with one seed', () => {
  it(
    'injects the same faults (kind, request identity, attempt) and gives the same figures twice',
    { timeout: 240_000 },
    async () => {
      const one = await runChaos(small('same-seed'));
      const two = await runChaos(small('same-seed'));
      expect(one.faults.length).toBeGreaterThan(5);
      expect(two.faults).toEqual(one.faults);
      expect(two.injected).toEqual(one.injected);
      expect(two.figures).toEqual(one.figures);
      // And the figures are the exact ones, not merely equal.
      const missed = one.rows.filter((r) => r.target && r.ok === false && r.metric !== 'fault kinds injected');
      expect(missed).toEqual([]);
      expect(one.figures['plans = expected (bought, or reverted by refund/dispute)']).toBe('3 / 3');

      const other = await runChaos(small('another-seed'));
      expect(other.faults).not.toEqual(one.faults);
    },
  );
});
