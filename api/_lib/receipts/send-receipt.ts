// The receipt email, sent once per paid Checkout Session. A create-only `receipts` entity whose
// id is derived from the session decides who sends: only the writer that created it does, so
// duplicate webhooks and the success page never send twice. Resend gets the session as its
// idempotency key too, so a retried send after a crash is still one email.
import { Resend } from 'resend';
import { receiptEmail, type ReceiptInput } from './receipt-email.ts';
import { derivedId } from '../platform/derived-id.ts';
import { orClear } from '../platform/clear-attribute.ts';
import { adminDb, isAlreadyRecorded } from '../platform/instant-admin.ts';


export async function sendReceiptOnce(r: ReceiptInput): Promise<'sent' | 'failed' | 'already-handled'> {
  const db = adminDb();
  const receiptId = derivedId('receipt', r.sessionId);
  try {
    await db.transact(db.tx.receipts[receiptId].create({ sessionId: r.sessionId, to: r.email, status: 'sending', createdAt: Date.now() }));
  } catch (e) {
    if (isAlreadyRecorded(e)) return 'already-handled';
    throw e;
  }
  return deliverReceipt(receiptId, r);
}

/**
 * Sends (or re-sends) and records the outcome; a failure is recorded, never thrown. The default
 * idempotency key makes a retry of the first send one email; an operator's extra copy passes its own.
 */
export async function deliverReceipt(receiptId: string, r: ReceiptInput, { idempotencyKey = `receipt/${r.sessionId}` } = {}): Promise<'sent' | 'failed'> {
  const db = adminDb();
  let error: string | null = null;
  try {
    const key = process.env.RESEND_API_KEY?.trim();
    if (!key) throw new Error('RESEND_API_KEY is not set, so receipts cannot be sent (see .env.example).');
    const { error: sendError } = await new Resend(key).emails.send(receiptEmail(r), { idempotencyKey });
    if (sendError) throw new Error(`${sendError.name}: ${sendError.message}`);
  } catch (e) {
    error = (e as Error).message;
    console.error(`receipt for ${r.sessionId} not sent: ${error}`);
  }
  await db.transact(
    db.tx.receipts[receiptId].update(error ? { status: 'failed', error } : { status: 'sent', sentAt: Date.now(), error: orClear<string>(null) }),
  );
  return error ? 'failed' : 'sent';
}
