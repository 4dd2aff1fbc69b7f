// Short-lived signed URLs for private files. The signature is the only secret ever put in a
// URL: it names one file, one disposition and an expiry, and is worthless after it. Other
// short-lived links (recovery-link.ts) sign with `signFor`/`signatureMatches` under their own key.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../platform/config-error.ts';

export const SIGNED_URL_TTL_SECONDS = 10 * 60;

export type SignedTarget = { kind: 'wallpaper' | 'download'; id: string; disposition: 'inline' | 'attachment' };

/**
 * The signing key for `purpose`: SIGNING_SECRET, else derived from the Instant admin token (also
 * server-only). Each purpose has its own key, so a signature made for one never verifies as another.
 */
function key(purpose: string, env = process.env): Buffer {
  const secret = env.SIGNING_SECRET?.trim() || env.INSTANT_ADMIN_TOKEN?.trim();
  if (!secret) throw new ConfigError('SIGNING_SECRET (or INSTANT_ADMIN_TOKEN) must be set to sign links.');
  return createHash('sha256').update(`instant-shop/${purpose}/${secret}`).digest();
}

/** The signature of `parts` (joined with `|`, so no part may contain one) for `purpose`. */
export function signFor(purpose: string, parts: (string | number)[]): string {
  return createHmac('sha256', key(purpose)).update(parts.join('|')).digest('base64url');
}

/** Compares in constant time. */
export function signatureMatches(purpose: string, parts: (string | number)[], sig: string): boolean {
  const expected = Buffer.from(signFor(purpose, parts));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const signature = (t: SignedTarget, exp: number) => signFor('signed-urls', [t.kind, t.id, t.disposition, exp]);

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
  if (!id || (disposition !== 'inline' && disposition !== 'attachment') || !Number.isInteger(exp))
    return { ok: false, reason: 'invalid' };
  const target = { kind, id, disposition } as const;
  if (!signatureMatches('signed-urls', [kind, id, disposition, exp], sig)) return { ok: false, reason: 'invalid' };
  if (exp * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, target };
}
