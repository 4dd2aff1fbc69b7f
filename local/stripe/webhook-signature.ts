import { createHmac } from 'node:crypto';

/**
 * Stripe's scheme: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<payload>" keyed with the whole `whsec_…` string>`.
 */
export function signPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  // Two updates hash the same bytes as one of `${timestamp}.${payload}`, without copying the payload.
  const v1 = createHmac('sha256', secret).update(`${timestamp}.`).update(payload, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
