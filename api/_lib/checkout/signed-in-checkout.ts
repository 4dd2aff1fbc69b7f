// The one way a signed-in checkout starts (credit packs, plans): the verified user, the product
// their body names by id (of the one kind the route sells), a per-user rate limit, the route's own
// check of the sale, then startCheckout with a fresh purchase token.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findProduct, type Product, type ProductKind } from '../../../catalog/products.ts';
import { HttpError, readJson } from '../platform/http.ts';
import { enforceRateLimit } from '../platform/rate-limit.ts';
import { verifyUser, type VerifiedUser } from '../platform/verify-user.ts';
import { startCheckout } from './start-checkout.ts';

export type SignedInCheckout<K extends ProductKind> = {
  /** The kind of product the route sells. */
  kind: K;
  /** The body's field naming the product, e.g. `packId`. */
  field: string;
  /** What the route sells, for the error naming an unknown id ("a plan"). */
  what: string;
  /** The rate limit's key: 10 checkouts per user and minute. */
  rateLimit: string;
  cancelPath: string;
  /** Refuses the sale (throws an HttpError) before any Checkout Session is made. */
  refuse?: (user: VerifiedUser, product: Extract<Product, { kind: K }>) => Promise<void>;
  /** Extra session metadata pinning what was sold. */
  metadata?: (product: Extract<Product, { kind: K }>) => Record<string, string>;
};

export function signedInCheckout<K extends ProductKind>(c: SignedInCheckout<K>): (req: Request) => Promise<Response> {
  const Body = z.object({ [c.field]: z.string().min(1, `${c.field} is required`).max(64) });
  return async (req) => {
    const user = await verifyUser(req);
    const productId = (await readJson(req, Body, 1024))[c.field] as string;
    const product = findProduct(productId);
    if (product?.kind !== c.kind)
      throw new HttpError(400, `Unknown ${c.field} "${productId}": use the id of ${c.what} in catalog/products.ts.`);
    const sold = product as Extract<Product, { kind: K }>;
    await enforceRateLimit(c.rateLimit, user.id, { limit: 10, windowMs: 60_000 });
    await c.refuse?.(user, sold);
    return startCheckout(req, {
      product,
      token: randomUUID(),
      user,
      cancelPath: c.cancelPath,
      metadata: c.metadata?.(sold),
    });
  };
}
