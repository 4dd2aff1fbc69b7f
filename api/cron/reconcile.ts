// GET /api/cron/reconcile: Vercel Cron runs it daily (vercel.json `crons`), sending
// `Authorization: Bearer $CRON_SECRET`. It reconciles the last two days with Stripe, exactly as an
// operator's reconcile does (missed webhooks repaired, failed receipts re-sent, housekeeping), and
// is recorded in the audit trail as `cron`.
import { timingSafeEqual } from 'node:crypto';
import { ConfigError, handler, HttpError, json } from '../_lib/http.ts';
import { runOps } from '../_lib/ops-commands.ts';

function authorized(req: Request, secret: string): boolean {
  const given = Buffer.from(req.headers.get('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const GET = handler(async (req) => {
  const secret = process.env.CRON_SECRET?.trim();
  if (!secret) throw new ConfigError('CRON_SECRET is not set: set it in the deployment settings so that Vercel Cron can call this function.');
  if (!authorized(req, secret)) throw new HttpError(401, 'Only the scheduler may run this: send Authorization: Bearer $CRON_SECRET.');
  return json(await runOps('reconcile', 'cron', { since: '48h' }));
});
