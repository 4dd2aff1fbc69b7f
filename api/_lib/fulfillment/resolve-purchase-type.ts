// What a completed Checkout Session bought: the first type named by, in this order, the session's
// `metadata.type`, the purchased product's `metadata.type`, or STRIPE_PRODUCT_MAP (JSON from a price
// or product id to a type). A type is a catalog product id (e.g. `wallpapers-all`); a paid session
// naming none is recorded with `unfulfilledReason`, which says how to fix it.
import type Stripe from 'stripe';
import { findProduct, type Product } from '../../../catalog/products.ts';
import { expanded } from '../platform/stripe-ids.ts';

export type Resolution =
  { product: Product; source: 'session' | 'product' | 'map' } | { product: null; reason: string };

export const UNKNOWN_TYPE_FIX =
  'Set metadata.type to a catalog product id on the Checkout Session or on the Stripe product, or map the price or product id in STRIPE_PRODUCT_MAP.';

export function resolvePurchaseType(
  session: Stripe.Checkout.Session,
  productMapJson = process.env.STRIPE_PRODUCT_MAP,
): Resolution {
  const candidates: { type: string | undefined; source: 'session' | 'product' | 'map' }[] = [
    { type: session.metadata?.type, source: 'session' },
  ];
  const item = session.line_items?.data[0];
  const price = item?.price;
  const product = expanded(price?.product) as Stripe.Product | null;
  candidates.push({ type: product?.metadata?.type, source: 'product' });
  const map = parseMap(productMapJson);
  candidates.push({ type: (price && map[price.id]) || (product && map[product.id]) || undefined, source: 'map' });

  for (const { type, source } of candidates) {
    if (!type) continue;
    const found = findProduct(type);
    if (found) return { product: found, source };
    return {
      product: null,
      reason: `Purchase type "${type}" (from ${source}) is not a product in catalog/products.ts. ${UNKNOWN_TYPE_FIX}`,
    };
  }
  return {
    product: null,
    reason: `Unknown purchase type: the session, its product and STRIPE_PRODUCT_MAP name none. ${UNKNOWN_TYPE_FIX}`,
  };
}

function parseMap(json: string | undefined): Record<string, string> {
  if (!json?.trim()) return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    console.error(
      'STRIPE_PRODUCT_MAP is not valid JSON; it should map price or product ids to types, e.g. {"price_123":"wallpapers-all"}',
    );
    return {};
  }
}
