// GET /api/cron/reconcile: Vercel Cron runs it daily (vercel.json `crons`), sending
// `Authorization: Bearer $CRON_SECRET`. It reconciles the last two days with Stripe, exactly as an
// operator's reconcile does (missed webhooks repaired, failed receipts re-sent, housekeeping), and
// is recorded in the audit trail as `cron`.
import { timingSafeEqual } from 'node:crypto';
import { handler, HttpError, json } from '../_lib/platform/http.ts';
import { CRON_SECRET_MISSING } from '../_lib/platform/startup-check.ts';
import { runOps } from '../_lib/ops/commands.ts';

function authorized(req: Request, secret: string): boolean {
  const given = Buffer.from(req.headers.get('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const GET = handler(async (req) => {
  const secret = process.env.CRON_SECRET?.trim();
  // Without the secret configured no caller is the scheduler: the same 401 as a wrong secret, so a
  // stranger cannot tell the two apart; the operator reads why in the log (and the start-up check).
  if (!secret) console.error(`config: ${CRON_SECRET_MISSING}`);
  if (!secret || !authorized(req, secret)) throw new HttpError(401, 'Only the scheduler may run this.');
  return json(await runOps('reconcile', 'cron', { since: '48h' }));
});
