// Purchase type resolution in its order (session, product, STRIPE_PRODUCT_MAP), and what happens when nothing resolves.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { resolvePurchaseType, UNKNOWN_TYPE_FIX } from '../api/_lib/fulfillment/resolve-purchase-type.ts';

function session(opts: {
  sessionType?: string;
  productType?: string;
  priceId?: string;
  productId?: string;
}): Stripe.Checkout.Session {
  return {
    id: 'cs_test_1',
    object: 'checkout.session',
    metadata: opts.sessionType ? { type: opts.sessionType } : {},
    line_items: {
      object: 'list',
      data: [
        {
          id: 'li_1',
          price: {
            id: opts.priceId ?? 'price_1',
            product: {
              id: opts.productId ?? 'prod_1',
              object: 'product',
              metadata: opts.productType ? { type: opts.productType } : {},
            },
          },
        },
      ],
    },
  } as unknown as Stripe.Checkout.Session;
}

describe('resolvePurchaseType', () => {
  it('takes session.metadata.type first', () => {
    const r = resolvePurchaseType(
      session({ sessionType: 'wallpapers-all', productType: 'wallpapers-warm' }),
      '{"price_1":"wallpapers-warm"}',
    );
    expect(r).toMatchObject({ product: { id: 'wallpapers-all' }, source: 'session' });
  });

  it("falls back to the product's metadata.type", () => {
    const r = resolvePurchaseType(session({ productType: 'wallpapers-warm' }), '{"price_1":"wallpapers-all"}');
    expect(r).toMatchObject({ product: { id: 'wallpapers-warm' }, source: 'product' });
  });

  it('falls back to STRIPE_PRODUCT_MAP by price id, then by product id', () => {
    expect(resolvePurchaseType(session({ priceId: 'price_9' }), '{"price_9":"wallpapers-warm"}')).toMatchObject({
      product: { id: 'wallpapers-warm' },
      source: 'map',
    });
    expect(resolvePurchaseType(session({ productId: 'prod_9' }), '{"prod_9":"wallpapers-all"}')).toMatchObject({
      product: { id: 'wallpapers-all' },
      source: 'map',
    });
  });

  it('names the fix when nothing resolves, or when a type is not in the catalog', () => {
    const none = resolvePurchaseType(session({}), undefined);
    expect(none.product).toBeNull();
    expect((none as { reason: string }).reason).toContain(UNKNOWN_TYPE_FIX);
    const unknown = resolvePurchaseType(session({ sessionType: 'plan-mega' }), undefined);
    expect((unknown as { reason: string }).reason).toMatch(/"plan-mega" \(from session\) is not a product/);
  });

  it('treats a malformed STRIPE_PRODUCT_MAP as empty', () => {
    expect(resolvePurchaseType(session({}), '{oops').product).toBeNull();
  });
});
