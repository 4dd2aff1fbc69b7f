// The signed-in user's Stripe customer, made once. Two first checkouts at once both ask Stripe
// to create it with the same idempotency key, and Stripe answers both with the one customer it
// made; both then store the same id on `$users.stripeCustomerId` (unique). Later checkouts read
// the stored id (Stripe keeps idempotency keys for 24 hours; the stored id outlives them).
import { adminDb } from '../platform/instant-admin.ts';
import { getStripe } from '../platform/stripe-client.ts';
import type { VerifiedUser } from '../platform/verify-user.ts';

export async function customerFor(user: VerifiedUser): Promise<string> {
  const db = adminDb();
  const { $users } = await db.query({ $users: { $: { where: { id: user.id }, fields: ['stripeCustomerId'] } } });
  const stored = $users[0]?.stripeCustomerId;
  if (stored) return stored;
  const customer = await getStripe().customers.create(
    { ...(user.email ? { email: user.email } : {}), metadata: { instantUserId: user.id } },
    { idempotencyKey: `customer/${user.id}` },
  );
  await db.transact(db.tx.$users[user.id].update({ stripeCustomerId: customer.id }));
  return customer.id;
}
