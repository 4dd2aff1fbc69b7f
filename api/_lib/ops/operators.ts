// Who may run the shop: the signed-in users whose email is listed in OPERATOR_EMAILS. Checked on
// the server by every operator function; the page only reflects what the server answers.
import { normalizeEmail } from '../platform/normalize-email.ts';
import { HttpError } from '../platform/http.ts';
import { verifyUser, type VerifiedUser } from '../platform/verify-user.ts';

export type Operator = { email: string; userId: string | null };

/** OPERATOR_EMAILS, comma-separated, compared lower-cased and trimmed as Instant stores emails. */
export function operatorEmails(env: Record<string, string | undefined> = process.env): Set<string> {
  return new Set(
    (env.OPERATOR_EMAILS ?? '')
      .split(',')
      .map(normalizeEmail)
      .filter((e): e is string => e !== null),
  );
}

export function isOperator(user: Pick<VerifiedUser, 'email'>, env = process.env): boolean {
  return user.email !== null && operatorEmails(env).has(user.email);
}

/** 401 when not signed in, 403 when signed in but not listed. */
export async function requireOperator(req: Request): Promise<Operator> {
  const user = await verifyUser(req);
  if (!isOperator(user)) {
    throw new HttpError(
      403,
      `This account${user.email ? ` (${user.email})` : ''} is not an operator: only the shop's operators may use these functions.`,
    );
  }
  return { email: user.email!, userId: user.id };
}
