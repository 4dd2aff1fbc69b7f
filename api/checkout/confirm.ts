// POST /api/checkout/confirm {sessionId} -> {status}
// The success page's call: fulfills the session now if the webhook has not yet, so the buyer
// never waits on webhook delivery. Safe to race with the webhook (fulfill-checkout.ts).
import { z } from 'zod';
import { fulfillCheckout } from '../_lib/fulfillment/fulfill-checkout.ts';
import { clientAddress, handler, HttpError, json, readJson } from '../_lib/platform/http.ts';
import { enforceRateLimit } from '../_lib/platform/rate-limit.ts';

const Body = z.object({
  sessionId: z
    .string()
    .regex(/^cs_[A-Za-z0-9_]+$/, 'sessionId must be a Checkout Session id (cs_…), as in the success URL'),
});

export const POST = handler(async (req) => {
  const { sessionId } = await readJson(req, Body);
  await enforceRateLimit('confirm', clientAddress(req), { limit: 60, windowMs: 60_000 });
  try {
    const { status } = await fulfillCheckout(sessionId);
    return json({ status });
  } catch (e) {
    if ((e as { code?: string }).code === 'resource_missing')
      throw new HttpError(404, `No Checkout Session ${sessionId}.`);
    throw e;
  }
});
