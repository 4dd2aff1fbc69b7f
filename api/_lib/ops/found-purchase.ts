// A purchase as the operator page shows it (find by email, attention lists): its Stripe ids,
// what it is, whether it grants access, and its receipt.
import type { InstaQLEntity } from '@instantdb/admin';
import { findProduct } from '../../../catalog/products.ts';
import type { FoundPurchase, PurchaseKind } from '../../../contracts/ops.ts';
import type { AppSchema } from '../../../instant.schema.ts';

export type Purchase = InstaQLEntity<AppSchema, 'purchases'>;
export type Receipt = InstaQLEntity<AppSchema, 'receipts'>;

export function toFoundPurchase(p: Purchase, r: Receipt | undefined): FoundPurchase {
  const product = findProduct(p.productId ?? '');
  return {
    id: p.id,
    sessionId: p.sessionId,
    paymentIntentId: p.paymentIntentId ?? null,
    status: p.status,
    access: Boolean(p.unlockToken),
    // Paid but of an unknown type: the reason names the fix (resolve-purchase-type.ts).
    unfulfilledReason: p.unfulfilledReason ?? null,
    email: p.email ?? null,
    productId: p.productId ?? null,
    title: product?.title ?? p.productId ?? '(unknown product)',
    kind: product?.kind ?? null,
    amount: p.amount ?? null,
    currency: p.currency ?? null,
    createdAt: p.createdAt,
    receipt: r ? { status: r.status, to: r.to ?? null, error: r.error ?? null, sentAt: r.sentAt ?? null } : null,
  };
}

const KINDS: Record<string, PurchaseKind> = {
  'wallpaper-pack': 'wallpapers',
  download: 'download',
  credits: 'credits',
  plan: 'plan',
};

/** The overview's kind of a product id (`unknown` for none, or one the catalog no longer has). */
export function purchaseKind(productId: string | null | undefined): PurchaseKind {
  return KINDS[findProduct(productId ?? '')?.kind ?? ''] ?? 'unknown';
}
