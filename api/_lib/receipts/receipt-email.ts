// The receipt's text: what was bought, what it cost, and how to get back to it (where the buyer
// finds it again, never a raw file link).
import type { Product } from '../../../catalog/products.ts';
import { formatMoney } from '../../../contracts/money.ts';

/** What a receipt says (and to whom); the send itself is send-receipt.ts. */
export type ReceiptInput = {
  sessionId: string;
  purchaseId: string;
  email: string;
  product: Product | null;
  amount: number | null;
  currency: string | null;
};

export function receiptEmail(r: ReceiptInput) {
  const appUrl = process.env.APP_URL ?? 'http://localhost:5173';
  const what = r.product?.title ?? 'your purchase';
  const paid = r.amount !== null && r.currency ? formatMoney(r.amount, r.currency) : null;
  // How to get back to it: where the buyer finds it again, never a raw file link.
  const howToReturn =
    r.product?.kind === 'credits'
      ? [`Your credits are on your account: ${appUrl}/credits`]
      : r.product?.kind === 'plan'
        ? [`Your plan is on your account: ${appUrl}/account`]
        : r.product?.kind === 'download'
          ? [`Download it from your account page (sign in with this email address): ${appUrl}/account`]
          : [
              `Open the shop in the browser you bought with to see it: ${appUrl}/`,
              `On another device, recover it with this email address: ${appUrl}/recover`,
            ];
  const text = [
    `Thank you for buying ${what}${paid ? ` (${paid})` : ''}.`,
    '',
    ...howToReturn,
    '',
    `Reference: ${r.sessionId}`,
  ].join('\n');
  return {
    from: process.env.MAIL_FROM ?? 'instant-shop <receipts@instant-shop.local>',
    to: r.email,
    subject: `Your receipt: ${what}`,
    text,
  };
}
