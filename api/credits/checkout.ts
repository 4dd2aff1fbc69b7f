// POST /api/credits/checkout {packId} -> {url}, with `Authorization: Bearer <refresh token>`.
// Starts a credit pack purchase for the signed-in user (signed-in-checkout.ts); the webhook grants
// the pack from the session's metadata.
import { handler } from '../_lib/platform/http.ts';
import { signedInCheckout } from '../_lib/checkout/signed-in-checkout.ts';

export const POST = handler(
  signedInCheckout({
    kind: 'credits',
    field: 'packId',
    what: 'a credits product',
    rateLimit: 'credits-checkout',
    cancelPath: '/credits',
    // `credits` pins what was sold, should the catalog change before the webhook arrives.
    metadata: (pack) => ({ credits: String(pack.credits) }),
  }),
);
