// Short-lived signed URLs for private files. The signature is the only secret ever put in a
// URL: it names one file, one disposition and an expiry, and is worthless after it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../platform/config-error.ts';

export const SIGNED_URL_TTL_SECONDS = 10 * 60;

export type SignedTarget = { kind: 'wallpaper' | 'download'; id: string; disposition: 'inline' | 'attachment' };

/** The signing key: SIGNING_SECRET, else derived from the Instant admin token (also server-only). */
function key(env = process.env): Buffer {
  const secret = env.SIGNING_SECRET?.trim() || env.INSTANT_ADMIN_TOKEN?.trim();
  if (!secret) throw new ConfigError('SIGNING_SECRET (or INSTANT_ADMIN_TOKEN) must be set to sign file URLs.');
  return createHash('sha256').update(`instant-shop/signed-urls/${secret}`).digest();
}

function signature(t: SignedTarget, exp: number): string {
  return createHmac('sha256', key()).update(`${t.kind}|${t.id}|${t.disposition}|${exp}`).digest('base64url');
}

export function signedPath(t: SignedTarget, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + SIGNED_URL_TTL_SECONDS;
  const q = new URLSearchParams({ id: t.id, disposition: t.disposition, exp: String(exp), sig: signature(t, exp) });
  return `/api/files/${t.kind}?${q}`;
}

export type Verified = { ok: true; target: SignedTarget } | { ok: false; reason: 'expired' | 'invalid' };

export function verifySigned(kind: SignedTarget['kind'], params: URLSearchParams, now = Date.now()): Verified {
  const id = params.get('id') ?? '';
  const disposition = params.get('disposition');
  const exp = Number(params.get('exp'));
  const sig = params.get('sig') ?? '';
  if (!id || (disposition !== 'inline' && disposition !== 'attachment') || !Number.isInteger(exp)) return { ok: false, reason: 'invalid' };
  const target = { kind, id, disposition } as const;
  const expected = Buffer.from(signature(target, exp));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (exp * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, target };
}
