import { isDeepStrictEqual } from 'node:util';
import { StripeApiError } from './errors.ts';
import type { FormObject } from './form-encoding.ts';

export interface StoredResponse {
  status: number;
  /** The answer's JSON text, replayed byte for byte. */
  text: string;
  requestId: string;
}

interface Entry {
  method: string;
  path: string;
  params: FormObject;
  response: StoredResponse;
  createdAt: number;
}

/** Stripe keeps idempotency keys for at least 24 hours. */
const TTL_MS = 24 * 60 * 60 * 1000;

/**
 * `Idempotency-Key` handling: the first answer to a key is kept and replayed
 * for the same method, path and params; anything else with that key is an
 * `idempotency_error`. Handlers run synchronously, so there is no window in
 * which two requests with one key could both execute.
 */
export class IdempotencyCache {
  private entries = new Map<string, Entry>();

  /** The stored answer for a replay, or null when the request should run. */
  lookup(key: string, method: string, path: string, params: FormObject): StoredResponse | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (Date.now() - entry.createdAt > TTL_MS) {
      this.entries.delete(key);
      return null;
    }
    if (entry.method !== method || entry.path !== path || !isDeepStrictEqual(entry.params, params)) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    return entry.response;
  }

  remember(key: string, method: string, path: string, params: FormObject, response: StoredResponse): void {
    this.entries.set(key, { method, path, params, response, createdAt: Date.now() });
  }

  clear(): void {
    this.entries.clear();
  }
}
