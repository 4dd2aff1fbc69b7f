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
  if (!adminToken) throw new ConfigError('INSTANT_ADMIN_TOKEN is not set: copy the admin token of your Instant app (see .env.example).');
  const apiURI = env.INSTANT_API_URI?.trim() || undefined;
  const key = `${appId}|${adminToken}|${apiURI ?? ''}`;
  if (cached?.key !== key) cached = { key, db: init({ appId, adminToken, schema, ...(apiURI ? { apiURI } : {}) }) as AdminDb };
  return cached.db;
}

/** Instant's answer when a create-only write or a unique value collides with what exists. */
export function isAlreadyRecorded(e: unknown): boolean {
  const body = (e as { body?: { type?: string; message?: string } })?.body;
  if (!body) return false;
  return body.type === 'record-not-unique' || (body.type === 'validation-failed' && /exist/i.test(body.message ?? ''));
}
