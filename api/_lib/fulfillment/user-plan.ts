// A user's plan is never stored as an event's result: it is the highest plan among their paid
// plan purchases, recomputed whenever one changes. A refund or a lost dispute turns that
// purchase's status away from `paid`, and the plan falls back by itself.
import { findProduct, type Product } from '../../../catalog/products.ts';
import { orClear } from '../platform/clear-attribute.ts';
import { adminDb } from '../platform/instant-admin.ts';

export type Plan = { productId: string; plan: string; level: number };

/** The highest plan among these products (the user's paid purchases); null when none is a plan. */
export function highestPlan(
  productIds: (string | null | undefined)[],
  lookup: (id: string) => Product | undefined = findProduct,
): Plan | null {
  let best: Plan | null = null;
  for (const id of productIds) {
    const product = lookup(id ?? '');
    if (product?.kind === 'plan' && (!best || product.level > best.level))
      best = { productId: product.id, plan: product.plan, level: product.level };
  }
  return best;
}

export async function highestPaidPlan(userId: string): Promise<Plan | null> {
  const { purchases } = await adminDb().query({
    purchases: { $: { where: { 'owner.id': userId, status: 'paid' }, fields: ['productId', 'status'] } },
  });
  return highestPlan(purchases.map((p) => p.productId));
}

/** Writes the user's plan; re-reads after writing so that racing writers converge (as fulfillment does). */
export async function syncPlan(userId: string): Promise<Plan | null> {
  const db = adminDb();
  for (let round = 0; ; round++) {
    const plan = await highestPaidPlan(userId);
    await db.transact(db.tx.$users[userId].update({ plan: orClear(plan?.productId) }));
    const again = await highestPaidPlan(userId);
    if (again?.productId === plan?.productId || round === 3) return plan;
  }
}
