// Who is calling: the Instant refresh token in `Authorization: Bearer …`, checked by the Instant
// server through the admin SDK. The user id always comes from here, never from a request body.
import { HttpError } from './http.ts';
import { adminDb } from './instant-admin.ts';
import { normalizeEmail } from './normalize-email.ts';

export type VerifiedUser = { id: string; email: string | null; refreshToken: string };

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;
const challenge = { 'www-authenticate': 'Bearer' };

export async function verifyUser(req: Request): Promise<VerifiedUser> {
  const match = BEARER.exec(req.headers.get('authorization')?.trim() ?? '');
  if (!match)
    throw new HttpError(
      401,
      'Sign in first: send your Instant refresh token as `Authorization: Bearer <token>`.',
      challenge,
    );
  const token = match[1];
  let user: { id?: string; email?: string | null } | null | undefined;
  try {
    user = await adminDb().auth.verifyToken(token);
  } catch (e) {
    // Instant answers 4xx for an unknown, signed-out or malformed token; anything else is an outage (500).
    const status = (e as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) user = null;
    else throw e;
  }
  if (!user?.id) throw new HttpError(401, 'Your sign-in has expired or is not valid: sign in again.', challenge);
  return { id: user.id, email: normalizeEmail(user.email), refreshToken: token };
}
