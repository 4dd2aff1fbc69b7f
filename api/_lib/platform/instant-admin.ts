// The admin SDK client for api/ functions. Which Instant server it talks to (Instant Cloud,
// self-hosted, or the local stand-in) comes from the environment only.
import { init, type InstantAdminDatabase } from '@instantdb/admin';
import schema, { type AppSchema } from '../../../instant.schema.ts';
import { ConfigError } from './config-error.ts';

type AdminDb = InstantAdminDatabase<AppSchema, false, any>;
let cached: { key: string; db: AdminDb } | null = null;

export function adminDb(env: Record<string, string | undefined> = process.env): AdminDb {
  const appId = env.INSTANT_APP_ID?.trim();
  const adminToken = env.INSTANT_ADMIN_TOKEN?.trim();
  if (!appId) throw new ConfigError('INSTANT_APP_ID is not set: set it to your Instant app id (see .env.example).');
  if (!adminToken)
    throw new ConfigError(
      'INSTANT_ADMIN_TOKEN is not set: copy the admin token of your Instant app (see .env.example).',
    );
  const apiURI = env.INSTANT_API_URI?.trim() || undefined;
  const key = `${appId}|${adminToken}|${apiURI ?? ''}`;
  if (cached?.key !== key)
    cached = { key, db: init({ appId, adminToken, schema, ...(apiURI ? { apiURI } : {}) }) as AdminDb };
  return cached.db;
}

/** Instant's answer when a create-only write or a unique value collides with what exists. */
export function isAlreadyRecorded(e: unknown): boolean {
  const body = (e as { body?: { type?: string; message?: string } })?.body;
  if (!body) return false;
  return body.type === 'record-not-unique' || (body.type === 'validation-failed' && /exist/i.test(body.message ?? ''));
}

/** How long the app waits for one Instant call before treating its answer as lost. */
export function instantTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.INSTANT_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 10_000;
}

/** No answer in time: the write may or may not have landed (the request itself is not cancelled). */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

/** Waits for an Instant call at most `ms`; the admin SDK has no timeout of its own. */
export async function withDeadline<T>(work: Promise<T>, ms = instantTimeoutMs()): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(`Instant did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An error that leaves a write's outcome unknown: no answer (network, deadline) or a server
 * failure. Instant's 4xx answers (validation, a taken unique value, permissions) are definite.
 */
export function isAmbiguous(e: unknown): boolean {
  if (e instanceof NoAnswerError) return true;
  const status = (e as { status?: unknown })?.status;
  if (typeof status === 'number') return status >= 500;
  return e instanceof TypeError; // fetch's "fetch failed": the connection dropped
}

/**
 * Backoff before retry `n` (1, 2, …): `baseMs`, doubling, capped at `capMs` (100, 200, 400 ms … 2 s).
 * `jitter`: a random wait up to that instead, so that callers who failed together retry apart.
 */
export function backoff(n: number, { baseMs = 100, capMs = 2000, jitter = false } = {}): Promise<void> {
  const ms = Math.min(capMs, baseMs * 2 ** (n - 1));
  return new Promise((resolve) => setTimeout(resolve, jitter ? Math.random() * ms : ms));
}

/**
 * Runs a write that is safe to repeat (an update to fixed values, a create-only write whose
 * collision the caller reads back), retrying ambiguous failures a bounded number of times.
 */
export async function retryAmbiguous<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await withDeadline(write());
    } catch (e) {
      if (!isAmbiguous(e) || n >= attempts) throw e;
      await backoff(n);
    }
  }
}
