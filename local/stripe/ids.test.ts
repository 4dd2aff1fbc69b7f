import { describe, expect, it } from 'vitest';
import { checkoutSessionKey, IdSource, randomToken } from './ids.ts';

describe('ids', () => {
  it('are Stripe-shaped, unique, and the same for the same seed and requests', () => {
    const make = (seed: string) => {
      const ids = new IdSource(seed);
      return [ids.next('cs_test', 'a', 58), ids.next('cs_test', 'a', 58), ids.next('pi', 'a'), ids.next('pi', 'b')];
    };
    const one = make('s');
    expect(make('s')).toEqual(one);
    expect(new Set(one).size).toBe(4);
    expect(one[0]).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(one[2]).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(make('t')[0]).not.toBe(one[0]);
    // Without a seed, a random one: two accounts share no ids.
    expect(new IdSource().next('pi', 'a')).not.toBe(new IdSource().next('pi', 'a'));
  });

  it('name a signed-in session by its customer and a guest one by its metadata, never by its expiry', () => {
    const guest = (token: string) => checkoutSessionKey({ line_items: [{ price: 'p' }], metadata: { token } });
    expect(guest('a')).not.toBe(guest('b'));
    const signedIn = (token: string, expires_at: number) =>
      checkoutSessionKey({
        customer: 'cus_1',
        metadata: { token },
        payment_intent_data: { metadata: { token } },
        expires_at,
      });
    expect(signedIn('a', 1)).toBe(signedIn('b', 2));
    expect(signedIn('a', 1)).not.toBe(checkoutSessionKey({ customer: 'cus_2' }));
  });

  it('random tokens are base62 of the asked length and do not repeat across refills of the byte pool', () => {
    // 3000 tokens of 24 bytes draw the 4 KiB pool many times over; sizes past the pool bypass it.
    const tokens = Array.from({ length: 3000 }, (_, i) => randomToken(i % 2 ? 24 : 14));
    for (const [i, t] of tokens.entries()) expect(t).toMatch(new RegExp(`^[A-Za-z0-9]{${i % 2 ? 24 : 14}}$`));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(randomToken(5000)).toMatch(/^[A-Za-z0-9]{5000}$/);
  });
});
