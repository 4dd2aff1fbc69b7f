// Deterministic UUIDs (RFC 4122 version 5) from a name. Entities whose id is derived from a
// Stripe object (a purchase from its Checkout Session, a receipt, a ledger grant) can only be
// recorded once: every writer, on every machine, computes the same id.
import { createHash } from 'node:crypto';

// A fixed namespace for this app's names.
const NAMESPACE = Buffer.from('6f1d2a4e8b7c4d3e9a1f0b2c3d4e5f60', 'hex');

export function derivedId(kind: string, key: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(`${kind}:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
