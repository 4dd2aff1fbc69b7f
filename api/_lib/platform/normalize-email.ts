/** Emails are lower-cased and trimmed wherever stored or compared (Instant does so for auth.email). */
export function normalizeEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e ? e : null;
}
