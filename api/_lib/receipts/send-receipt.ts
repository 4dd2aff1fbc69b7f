// The receipt email, sent once per paid Checkout Session. A create-only `receipts` entity whose
// id is derived from the session decides who sends: only the writer that created it does, so
// duplicate webhooks and the success page never send twice. Resend gets the session as its
// idempotency key too, so a retried send after a crash is still one email. The claim carries its
// creator's id: when the answer to the create is lost, reading the claim back says who won.
import { id as newId, type InstaQLEntity } from '@instantdb/admin';
import { Resend } from 'resend';
import type { AppSchema } from '../../../instant.schema.ts';
import { receiptEmail, type ReceiptInput } from './receipt-email.ts';
import { derivedId } from '../platform/derived-id.ts';
import { orClear } from '../platform/clear-attribute.ts';
import {
  adminDb,
  backoff,
  isAlreadyRecorded,
  isAmbiguous,
  retryAmbiguous,
  withDeadline,
} from '../platform/instant-admin.ts';

export type StoredReceipt = InstaQLEntity<AppSchema, 'receipts'>;

export const receiptIdFor = (sessionId: string) => derivedId('receipt', sessionId);

export async function sendReceiptOnce(r: ReceiptInput): Promise<'sent' | 'failed' | 'already-handled'> {
  const db = adminDb();
  const receiptId = receiptIdFor(r.sessionId);
  const owner = newId();
  const claim = { sessionId: r.sessionId, to: r.email, status: 'sending', createdAt: Date.now(), claimedBy: owner };
  try {
    await retryAmbiguous(() => db.transact(db.tx.receipts[receiptId].create(claim)));
  } catch (e) {
    if (!isAlreadyRecorded(e) && !isAmbiguous(e)) throw e;
    // A collision may be this send's own earlier attempt whose answer was lost: never assume
    // another sender won; the claim's owner says.
    const { receipts } = await withDeadline(db.query({ receipts: { $: { where: { id: receiptId } } } }));
    if (!receipts[0]) throw e; // nothing claimed: the caller fails and the event is redelivered
    if (receipts[0].claimedBy !== owner) return 'already-handled';
  }
  return deliverReceipt(receiptId, r);
}

// Sends tried per delivery; Resend's idempotency key makes a repeat of a send that landed one email.
const SEND_ATTEMPTS = 2;

function resendTimeoutMs(): number {
  const v = Number(process.env.RESEND_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 10_000;
}

async function sendEmail(key: string, r: ReceiptInput, idempotencyKey: string): Promise<void> {
  const resend = new Resend(key);
  for (let n = 1; ; n++) {
    let failure: { message: string; retry: boolean };
    try {
      const { error } = await resend.emails.send(receiptEmail(r), {
        idempotencyKey,
        signal: AbortSignal.timeout(resendTimeoutMs()),
      });
      if (!error) return;
      // No status (no answer) or a 5xx may be retried under the same key; a 4xx will not change.
      const status = (error as { statusCode?: number | null }).statusCode ?? null;
      failure = { message: `${error.name}: ${error.message}`, retry: status === null || status >= 500 };
    } catch (e) {
      failure = { message: (e as Error).message, retry: true };
    }
    if (!failure.retry || n >= SEND_ATTEMPTS) throw new Error(failure.message);
    await backoff(n);
  }
}

/**
 * Sends (or re-sends) and records the outcome; a failure is recorded, never thrown. The default
 * idempotency key makes a retry of the first send one email; an operator's extra copy passes its own.
 */
export async function deliverReceipt(
  receiptId: string,
  r: ReceiptInput,
  { idempotencyKey = `receipt/${r.sessionId}` } = {},
): Promise<'sent' | 'failed'> {
  const db = adminDb();
  let error: string | null = null;
  try {
    const key = process.env.RESEND_API_KEY?.trim();
    if (!key) throw new Error('RESEND_API_KEY is not set, so receipts cannot be sent (see .env.example).');
    await sendEmail(key, r, idempotencyKey);
  } catch (e) {
    error = (e as Error).message;
    console.error(`receipt for ${r.sessionId} not sent: ${error}`);
  }
  // An update to fixed values, so safe to repeat after a lost answer.
  const outcome = error
    ? { status: 'failed', error }
    : { status: 'sent', sentAt: Date.now(), error: orClear<string>(null) };
  await retryAmbiguous(() => db.transact(db.tx.receipts[receiptId].update(outcome)));
  return error ? 'failed' : 'sent';
}
