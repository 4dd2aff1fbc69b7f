// Re-sending a receipt (reconcile and operators) through send-receipt.ts's `deliverReceipt`.
// Instant has no compare-and-set, so each re-send first claims the unique slot
// `<sessionId>:<n>` (n = one more than the re-sends so far): of concurrent re-senders exactly one
// wins it and sends; the others see the claim and stand back. A claim records how its send
// ended, so a failed re-send can be retried by the next run and a successful one is not repeated.
import type { InstaQLEntity } from '@instantdb/admin';
import type { AppSchema } from '../../../instant.schema.ts';
import { findProduct } from '../../../catalog/products.ts';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb, isAlreadyRecorded } from '../platform/instant-admin.ts';
import { deliverReceipt } from './send-receipt.ts';
import type { ResendResult } from '../../../contracts/ops.ts';

/** A send that started this long ago without recording its end is taken to have crashed. */
export const STUCK_MS = 5 * 60_000;

export type { ResendResult } from '../../../contracts/ops.ts';
type Receipt = InstaQLEntity<AppSchema, 'receipts'>;
type Claim = InstaQLEntity<AppSchema, 'receiptResends'>;

const ms = (d: number | string) => new Date(d).getTime();
const slotNumber = (c: Claim) => Number(c.slot.split(':').pop());

/** Whether reconcile should re-send this receipt: it failed, or its send never finished. */
export function needsResend(r: Pick<Receipt, 'status' | 'createdAt'>, now = Date.now()): boolean {
  return r.status === 'failed' || (r.status === 'sending' && now - ms(r.createdAt) > STUCK_MS);
}

/**
 * `force` (an operator asking for another copy) sends whatever the receipt's state; otherwise
 * only a receipt that `needsResend` is sent, and not again once a re-send succeeded.
 */
export async function resendReceipt(sessionId: string, by: string, { force = false } = {}): Promise<ResendResult> {
  const db = adminDb();
  const now = Date.now();
  const { receipts, receiptResends, purchases } = await db.query({
    receipts: { $: { where: { sessionId } } },
    receiptResends: { $: { where: { sessionId } } },
    purchases: { $: { where: { sessionId } } },
  });
  const receipt = receipts[0];
  const purchase = purchases[0];
  const to = receipt?.to ?? purchase?.email ?? null;
  const skip = (reason: string): ResendResult => ({ sessionId, to, result: 'skipped', reason });
  if (!receipt || !purchase || !to) return skip('no receipt was owed: the purchase is not paid or has no email');
  if (!force && !needsResend(receipt, now)) return skip(`the receipt is ${receipt.status}`);

  const claims = receiptResends.sort((a, b) => slotNumber(a) - slotNumber(b));
  if (claims.some((c) => !c.outcome && now - ms(c.createdAt) <= STUCK_MS)) return skip('a re-send is in progress');
  if (!force && claims.at(-1)?.outcome === 'sent') return skip('already re-sent');
  const slot = `${sessionId}:${(claims.length ? slotNumber(claims.at(-1)!) : 0) + 1}`;
  const claimId = derivedId('receipt-resend', slot);
  try {
    await db.transact(db.tx.receiptResends[claimId].create({ slot, sessionId, by, createdAt: now }));
  } catch (e) {
    if (isAlreadyRecorded(e)) return skip('another re-send claimed it');
    throw e;
  }
  const input = {
    sessionId,
    purchaseId: purchase.id,
    email: to,
    product: findProduct(purchase.productId ?? '') ?? null,
    amount: purchase.amount ?? null,
    currency: purchase.currency ?? null,
  };
  // Repairing a failed send keeps the first send's key; an operator's extra copy is a new email.
  const result = await deliverReceipt(
    receipt.id,
    input,
    force ? { idempotencyKey: `receipt/${sessionId}/copy/${slot}` } : {},
  );
  await db.transact(db.tx.receiptResends[claimId].update({ outcome: result, finishedAt: Date.now() }));
  return { sessionId, to, result };
}
