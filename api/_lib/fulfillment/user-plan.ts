// A user's plan is never stored as an event's result: it is the highest plan among their paid
// plan purchases, recomputed whenever one changes. A refund or a lost dispute turns that
// purchase's status away from `paid`, and the plan falls back by itself.
import { findProduct } from '../../../catalog/products.ts';
import { adminDb } from '../platform/instant-admin.ts';

export type Plan = { productId: string; plan: string; level: number };

export async function highestPaidPlan(userId: string): Promise<Plan | null> {
  const { purchases } = await adminDb().query({
    purchases: { $: { where: { 'owner.id': userId, status: 'paid' }, fields: ['productId', 'status'] } },
  });
  let best: Plan | null = null;
  for (const p of purchases) {
    const product = findProduct(p.productId ?? '');
    if (product?.kind === 'plan' && (!best || product.level > best.level)) best = { productId: product.id, plan: product.plan, level: product.level };
  }
  return best;
}

/** Writes the user's plan; re-reads after writing so that racing writers converge (as fulfilment does). */
export async function syncPlan(userId: string): Promise<Plan | null> {
  const db = adminDb();
  for (let round = 0; ; round++) {
    const plan = await highestPaidPlan(userId);
    await db.transact(db.tx.$users[userId].update({ plan: plan?.productId ?? (null as unknown as string) }));
    const again = await highestPaidPlan(userId);
    if (again?.productId === plan?.productId || round === 3) return plan;
  }
}
