import { randomBytes, randomFillSync } from 'node:crypto';
import { seededBytes, stableText } from '../faults/fault-plan.ts';
import type { FormObject } from './form-encoding.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

// Random bytes drawn 4 KiB at a time: one system call per ~150 request ids, not one per id.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolUsed = POOL_BYTES;

/** Random base62 text, for secrets and request ids (never part of a fault's identity). */
export function randomToken(length: number): string {
  if (length > POOL_BYTES) return base62(randomBytes(length));
  if (poolUsed + length > POOL_BYTES) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const start = poolUsed;
  poolUsed += length;
  return base62(pool, start, poolUsed);
}

/**
 * The account's object ids: the n-th id made for (prefix, key) is a hash of (seed, prefix, key, n),
 * where the key is stable request content (an idempotency key, a session's buyer, the parent
 * object's id). So the same seed and the same requests give the same ids however they
 * interleave, which keeps fault identities (local/faults) the same from run to run. Stripe ids
 * are opaque: only the prefix matters to callers. The counts survive a reset, so no id repeats.
 */
export class IdSource {
  private made = new Map<string, number>();

  /** `seed` defaults to a random one: ids then differ between servers and runs, as Stripe's do. */
  constructor(readonly seed: string = randomBytes(16).toString('hex')) {}

  /** Stripe-style id such as `cus_…` or `cs_test_…`. */
  next(prefix: string, key: string, length = 24): string {
    return `${prefix}_${this.token(prefix, key, length)}`;
  }

  /** Base62 text without a prefix (coupon ids, promotion codes). */
  token(kind: string, key: string, length: number): string {
    const slot = `${kind}\u0000${key}`;
    // Counted by a digest of the slot: keys can be whole request texts, which would pile up here.
    const counter = seededBytes('', slot, 16).toString('base64');
    const n = (this.made.get(counter) ?? 0) + 1;
    this.made.set(counter, n);
    return base62(seededBytes(this.seed, `${slot}\u0000${n}`, length));
  }
}

/** A request's stable content, as ids and fault identities key on it (see `IdSource`). */
export function requestKey(pathname: string, params: FormObject): string {
  return pathname === '/v1/checkout/sessions' ? checkoutSessionKey(params) : stableText(params);
}

/**
 * A signed-in session is named by its customer (its metadata may carry a per-call nonce), a
 * guest's by its metadata (the buyer's token); both by what they sell and where they return,
 * never by when (`expires_at`).
 */
export function checkoutSessionKey(params: Record<string, unknown>): string {
  const signedIn = params.customer ? { metadata: undefined, payment_intent_data: undefined } : {};
  return stableText({ ...params, expires_at: undefined, ...signedIn });
}

/** Unix seconds, the unit of every `created` field. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
