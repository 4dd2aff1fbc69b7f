// What an operator can do, shared by the api/ops/* functions (the /ops page) and `npm run ops`:
// each command validates its input with zod, does its work through the same library code the
// shop runs, and is recorded in the audit trail with who asked, what, on what, and the result.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findByEmail } from './find-by-email.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { handler, json, readJson } from '../platform/http.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { audited, listOpsActions } from './audit.ts';
import { requireOperator } from './operators.ts';
import { parseSince, reconcile } from './reconcile.ts';
import { resendReceipt } from '../receipts/send-again.ts';
import { mailRecoveryLink, recoveryLinkBody, redeemRecoveryLink } from './recovery-link.ts';
import { refundPurchase } from './refund-purchase.ts';
import { replayEvent } from './replay-event.ts';
import { listWebhookEvents } from './webhook-log.ts';
import { ATTENTION_KINDS, attentionPage } from './attention.ts';
import { csvResponse, exportCsv, type CsvExport } from './export-csv.ts';
import { overview } from './overview.ts';
import { HttpError } from '../platform/http.ts';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'email is required')
  .max(320)
  .email('email must be an email address');
const sessionId = z
  .string()
  .regex(/^cs_[A-Za-z0-9_]+$/, 'sessionId must be a Checkout Session id (cs_…)')
  .max(200);
const limit = z.number().int().min(1).max(500).optional();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD');
const timeZone = z
  .string({ error: 'timeZone is required: an IANA time zone name such as Europe/Paris' })
  .trim()
  .min(1, 'timeZone is required: an IANA time zone name such as Europe/Paris')
  .max(100);

export const opsInputs = {
  find: z.object({ email }),
  recover: z.object({ email }),
  'resend-receipt': z.object({ sessionId }),
  refund: z.object({
    sessionId,
    // Minor units (cents); absent refunds whatever is left of the charge.
    amount: z.number().int().positive('amount must be a positive number of cents').optional(),
    requestId: z.string().uuid('requestId must be a UUID made once per refund request').optional(),
  }),
  reconcile: z.object({ since: z.string().trim().max(40).optional() }),
  webhooks: z.object({
    type: z.string().trim().max(100).optional(),
    outcome: z.enum(['fulfilled', 'ignored', 'no-session', 'failed', 'rejected']).optional(),
    // An email, a Checkout Session id or an event id.
    q: z.string().trim().max(320).optional(),
    limit,
  }),
  replay: z.object({
    eventId: z
      .string()
      .regex(/^evt_[A-Za-z0-9_]+$/, 'eventId must be a Stripe event id (evt_…)')
      .max(200),
    via: z.enum(['reprocess', 'resend']).optional(),
  }),
  audit: z.object({ limit }),
  overview: z.object({
    range: z.enum(['today', '7d', '30d', 'custom']),
    from: day.optional(),
    to: day.optional(),
    timeZone,
  }),
  attention: z.object({
    kind: z.enum(ATTENTION_KINDS),
    cursor: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(200).optional(),
  }),
  export: z.object({ what: z.enum(['purchases', 'ledger', 'webhooks']), from: day, to: day, timeZone }),
} as const;

export type OpsCommand = keyof typeof opsInputs;
type Input<C extends OpsCommand> = z.infer<(typeof opsInputs)[C]>;

/**
 * What a command does for an operator, given its validated input: the audit trail's `target`,
 * the work, and the one line the trail records of its result (`audit: false`: not recorded).
 */
type Plan<R> =
  { target: string | null; run: () => Promise<R>; result(r: R): string } | { audit: false; run: () => Promise<R> };
type Command<C extends OpsCommand> = (operator: string, input: Input<C>) => Plan<unknown>;
/** An audited plan, its result line typed by what its work returns. */
const plan = <R>(p: { target: string | null; run: () => Promise<R>; result: (r: R) => string }): Plan<unknown> =>
  p as Plan<unknown>;

const commands: { [C in OpsCommand]: Command<C> } = {
  find: (_op, { email }) =>
    plan({
      target: email,
      run: () => findByEmail(email),
      result: (r) => `${r.purchases.length} purchases, balance ${r.balance}`,
    }),
  // A one-use signed link, not a magic code: it works even when Instant's code limits lock the
  // buyer out (recovery-link.ts); signed in through it, /recover shows what the email bought.
  recover: (_op, { email }) =>
    plan({
      target: email,
      run: () => mailRecoveryLink(email),
      result: (r) => `link mailed, expires ${r.expiresAt}`,
    }),
  'resend-receipt': (op, { sessionId }) =>
    plan({
      target: sessionId,
      run: () => resendReceipt(sessionId, op, { force: true }),
      result: (r) => `${r.result}${r.reason ? `: ${r.reason}` : ''}`,
    }),
  refund: (op, { sessionId, amount, requestId }) =>
    plan({
      target: sessionId,
      run: () => refundPurchase({ sessionId, amount, requestId: requestId ?? randomUUID(), operator: op }),
      result: (r) => `${r.refundId} ${r.amount} ${r.currency} ${r.status}`,
    }),
  reconcile: (op, { since }) => {
    const from = parseSince(since);
    return plan({
      target: `since ${from.toISOString()}`,
      run: () => reconcile({ since: from, by: op }),
      result: (r) =>
        `${r.repaired.length} purchases repaired, ${r.receiptsResent.length} receipts re-sent, ${r.errors.length} errors (${r.sessionsChecked} sessions, ${r.eventsChecked} events checked)`,
    });
  },
  webhooks: (_op, { type, outcome, q, limit }) =>
    plan({
      target: q || type || outcome || null,
      run: async () => {
        const filter = { type, outcome, limit };
        if (!q) return listWebhookEvents(filter);
        if (q.startsWith('evt_')) return listWebhookEvents({ ...filter, eventId: q });
        if (q.startsWith('cs_')) return listWebhookEvents({ ...filter, sessionIds: [q] });
        const { purchases } = await adminDb().query({
          purchases: { $: { where: { email: normalizeEmail(q) ?? '' }, fields: ['sessionId'] } },
        });
        return listWebhookEvents({ ...filter, sessionIds: purchases.map((p) => p.sessionId) });
      },
      result: (rows) => `${rows.length} entries`,
    }),
  replay: (_op, { eventId, via }) =>
    plan({
      target: eventId,
      run: () => replayEvent(eventId, via),
      result: (r) => JSON.stringify(r),
    }),
  audit: (_op, { limit }) =>
    plan({
      target: null,
      run: () => listOpsActions({ limit }),
      result: (rows) => `${rows.length} entries`,
    }),
  // Aggregates only (no buyer's data), read on every page load: not in the audit trail.
  overview: (_op, input) => ({ audit: false, run: () => overview(input) }),
  attention: (_op, input) =>
    plan({
      target: input.kind,
      run: () => attentionPage(input),
      result: (page) => `${page.rows.length} purchases`,
    }),
  // It holds buyers' emails: recorded before the first byte is sent.
  export: (_op, input) =>
    plan({
      target: `${input.what} ${input.from}..${input.to} (${input.timeZone})`,
      run: async (): Promise<CsvExport> => exportCsv(input),
      result: (csv) => `streamed ${csv.filename}`,
    }),
};

/** Runs a command's plan, recorded in the audit trail (who, what, on what, and the result) unless it says not. */
function carryOut(command: OpsCommand, operator: string, input: unknown): Promise<unknown> {
  const plan = (commands[command] as (op: string, i: unknown) => Plan<unknown>)(operator, input);
  if ('audit' in plan) return plan.run();
  return audited(operator, command, plan.target, plan.run, (r) => plan.result(r));
}

/** Runs a command as `operator` (an operator's email, or `cli:<user>`), input validated first. */
export async function runOps<C extends OpsCommand>(command: C, operator: string, input: unknown): Promise<unknown> {
  return carryOut(command, operator, opsInputs[command].parse(input));
}

const MAX_OPS_BODY = 4 * 1024;

/**
 * PUT /api/ops/recover: the buyer's browser redeems the link the operator's recover mailed.
 * No operator here: the link's signature is the authority, and it works once (recovery-link.ts).
 */
export const redeemRecoveryEndpoint = handler(async (req) =>
  json(await redeemRecoveryLink(await readJson(req, recoveryLinkBody, MAX_OPS_BODY))),
);

const commandOf = (req: Request) => new URL(req.url).searchParams.get('command') ?? '';

/**
 * POST /api/ops/<command> (api/ops/[command].ts, one function for every command): signed-in
 * operators only (401/403), then the command's input, then the command. `export` answers CSV.
 */
export const opsEndpoint = handler(async (req) => {
  const command = commandOf(req);
  const known = command === 'me' || Object.hasOwn(opsInputs, command);
  if (!known)
    throw new HttpError(
      404,
      `There is no operator command "${command}": use one of me, ${Object.keys(opsInputs).join(', ')}.`,
    );
  const operator = await requireOperator(req);
  if (command === 'me') return json({ operator: operator.email });
  const input = await readJson(req, opsInputs[command as OpsCommand], MAX_OPS_BODY);
  const result = await carryOut(command as OpsCommand, operator.email, input);
  return command === 'export' ? csvResponse(result as CsvExport) : json(result);
});

/** PUT is only the buyer's redeeming of a recovery link (PUT /api/ops/recover). */
export const opsPutEndpoint = handler(async (req) => {
  if (commandOf(req) !== 'recover')
    throw new HttpError(405, 'Only /api/ops/recover takes PUT (a recovery link); operator commands are POST.', {
      allow: 'POST',
    });
  return redeemRecoveryEndpoint(req);
});
