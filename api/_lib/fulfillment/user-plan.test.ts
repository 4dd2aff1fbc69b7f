// A user's plan as a pure function of the products of their paid purchases.
import { describe, expect, it } from 'vitest';
import { highestPlan } from './user-plan.ts';

describe('highestPlan', () => {
  it('is the highest-level plan among the products, whatever their order', () => {
    expect(highestPlan(['plan-large', 'plan-medium'])?.productId).toBe('plan-large');
    expect(highestPlan(['plan-medium', 'plan-large'])).toEqual({ productId: 'plan-large', plan: 'large', level: 2 });
  });

  it('ignores products that are not plans or no longer exist', () => {
    expect(
      highestPlan(['credits-small', 'wallpapers-warm', 'plan-medium', 'no-such-product', null, undefined])?.productId,
    ).toBe('plan-medium');
    expect(highestPlan(['credits-small', null])).toBeNull();
    expect(highestPlan([])).toBeNull();
  });
});
