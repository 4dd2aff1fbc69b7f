// Who a completed Checkout Session belongs to. Sessions made by the api/ carry it in metadata;
// payment-link sessions carry `client_reference_id` (`user_<id>` or `token_<uuid>`, set by the
// SPA when it opens the link); failing both, the buyer's email
// (so a purchase made without the SPA still reaches the account that email signs in to).
import type Stripe from 'stripe';
import type { Product } from '../../../catalog/products.ts';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb } from '../platform/instant-admin.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Buyer = { token: string; userId: string | null };

export function parseClientReference(ref: string | null | undefined): { token?: string; userId?: string } {
  if (!ref) return {};
  if (ref.startsWith('token_') && UUID_V4.test(ref.slice(6))) return { token: ref.slice(6) };
  if (ref.startsWith('user_') && UUID.test(ref.slice(5))) return { userId: ref.slice(5) };
  if (UUID_V4.test(ref)) return { token: ref };
  return {};
}

export async function identifyBuyer(
  session: Stripe.Checkout.Session,
  product: Product | null,
  email: string | null,
): Promise<Buyer> {
  const ref = parseClientReference(session.client_reference_id);
  const metaToken = session.metadata?.token;
  // A paid session that lost its token still gets one (derived, so every writer agrees),
  // and email recovery finds it.
  const token = (metaToken && UUID_V4.test(metaToken) ? metaToken : ref.token) ?? derivedId('token', session.id);
  let userId = session.metadata?.userId ?? ref.userId ?? null;
  if (!userId && email && (product?.kind === 'credits' || product?.kind === 'plan'))
    userId = await userIdForEmail(email);
  return { token, userId };
}

/** The user with this email, created as a sign-in would create it (users exist by purchase too). */
async function userIdForEmail(email: string): Promise<string> {
  const db = adminDb();
  const found = await db.auth.getUser({ email });
  if (found) return found.id;
  const token = await db.auth.createToken({ email });
  return (await db.auth.verifyToken(token)).id;
}
