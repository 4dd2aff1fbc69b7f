// The operator's way back in for a buyer, even one locked out by Instant's magic-code limits (20
// codes sent and 20 checked per app, email and hour): the operator's `recover` mails the buyer a
// link signed by the shop, good for RECOVERY_LINK_TTL_SECONDS and once. Redeeming it claims a
// create-only record whose id is derived from the link's nonce (so of any number of concurrent
// redemptions exactly one wins), then mints an Instant refresh token with the admin SDK's
// `createToken`, which Instant does not rate-limit, and the SPA signs in with it. The guess limit
// is untouched: a link can't be guessed (HMAC), and it only ever signs in the email it names.
import { randomUUID } from 'node:crypto';
import { Resend } from 'resend';
import { z } from 'zod';
import { derivedId } from '../platform/derived-id.ts';
import { ConfigError } from '../platform/config-error.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb, isAlreadyRecorded } from '../platform/instant-admin.ts';
import { recordOpsAction } from './audit.ts';
import { signatureMatches, signFor } from '../files/signed-urls.ts';

export const RECOVERY_LINK_TTL_SECONDS = 20 * 60;
const PURPOSE = 'recovery-links';

const NONCE = /^[0-9a-f-]{36}$/;

/** What the link carries (in the URL's fragment, which browsers never send to a server). */
export const recoveryLinkBody = z.object({
  email: z.string().trim().toLowerCase().min(3).max(320).email('email must be an email address'),
  exp: z.number().int().positive("exp must be the link's expiry (seconds since the epoch)"),
  nonce: z.string().regex(NONCE, "nonce must be the link's nonce"),
  sig: z.string().min(1, 'sig is required').max(200),
});
export type RecoveryLink = z.infer<typeof recoveryLinkBody>;

const signature = (l: Omit<RecoveryLink, 'sig'>) => signFor(PURPOSE, [l.email, l.exp, l.nonce]);

/** A fresh link for an already normalized email. */
export function makeRecoveryLink(email: string, now = Date.now()): RecoveryLink {
  const link = { email, exp: Math.floor(now / 1000) + RECOVERY_LINK_TTL_SECONDS, nonce: randomUUID() };
  return { ...link, sig: signature(link) };
}

export function recoveryUrl(appUrl: string, l: RecoveryLink): string {
  const params = new URLSearchParams({ email: l.email, exp: String(l.exp), nonce: l.nonce, sig: l.sig });
  return `${appUrl}/recover#${params}`;
}

/** Mails `email` a new link through the shop's mailer (Resend); throws if it could not be sent. */
export async function mailRecoveryLink(email: string): Promise<{ sent: true; to: string; expiresAt: string }> {
  // The SPA's origin, as in receipts (operators run this from the CLI too, with no request to go by).
  const appUrl = process.env.APP_URL?.trim().replace(/\/+$/, '') || 'http://localhost:5173';
  const key = process.env.RESEND_API_KEY?.trim();
  if (!key) throw new ConfigError('RESEND_API_KEY is not set, so recovery links cannot be mailed (see .env.example).');
  const link = makeRecoveryLink(email);
  const minutes = RECOVERY_LINK_TTL_SECONDS / 60;
  const text = [
    'You (or our support team on your behalf) asked to recover your purchases.',
    '',
    `Open this link in the browser you want them in, within ${minutes} minutes; it works once:`,
    recoveryUrl(appUrl, link),
    '',
    'If you did not ask for this, ignore this email.',
  ].join('\n');
  const { error } = await new Resend(key).emails.send(
    {
      from: process.env.MAIL_FROM ?? 'instant-shop <receipts@instant-shop.local>',
      to: email,
      subject: 'Recover your purchases',
      text,
    },
    { idempotencyKey: `recover/${link.nonce}` },
  );
  if (error)
    throw new HttpError(502, `The recovery link could not be mailed (${error.name}: ${error.message}); try again.`);
  return { sent: true, to: email, expiresAt: new Date(link.exp * 1000).toISOString() };
}

/** Redeems a link once: the Instant refresh token of its email's user (made if new). */
export async function redeemRecoveryLink(l: RecoveryLink, now = Date.now()): Promise<{ token: string; email: string }> {
  if (!signatureMatches(PURPOSE, [l.email, l.exp, l.nonce], l.sig)) {
    throw new HttpError(403, 'This recovery link is not valid; ask support for a new one.');
  }
  if (l.exp * 1000 < now) throw new HttpError(410, 'This recovery link has expired; ask support for a new one.');
  const audit = (detail: string, ok: boolean) =>
    recordOpsAction({ operator: `link:${l.email}`, action: 'recover-link', target: l.email, detail, ok });
  const db = adminDb();
  try {
    await db.transact(
      db.tx.recoveryClaims[derivedId('recovery-link', l.nonce)].create({
        email: l.email,
        expiresAt: l.exp * 1000,
        redeemedAt: now,
      }),
    );
  } catch (e) {
    if (!isAlreadyRecorded(e)) throw e;
    await audit('refused: already used', false);
    throw new HttpError(410, 'This recovery link has already been used; ask support for a new one.');
  }
  const token = await db.auth.createToken(l.email);
  await audit('signed in', true);
  return { token, email: l.email };
}
