// Everything the shop holds for one email, for an operator answering "I paid and lost it":
// purchases (by email or owned by that user) with their Stripe ids and receipts, the user's
// plan and credits ledger, and which downloads are available.
import { downloadFile } from '../files/download-file.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { withRunningBalance } from '../../../contracts/credits.ts';
import type { FindResult } from '../../../contracts/ops.ts';
import { balanceOf } from '../credits/ledger.ts';
import { toFoundPurchase, type Purchase } from './found-purchase.ts';

export type { FindResult } from '../../../contracts/ops.ts';

export async function findByEmail(rawEmail: string): Promise<FindResult> {
  const email = normalizeEmail(rawEmail);
  if (!email) throw new HttpError(400, '`email` is required.');
  const db = adminDb();
  const { $users, purchases: byEmail } = await db.query({
    $users: { $: { where: { email } }, purchases: {} },
    purchases: { $: { where: { email } } },
  });
  const user = $users[0];
  const seen = new Map<string, Purchase>();
  for (const p of [...byEmail, ...(user?.purchases ?? [])]) seen.set(p.id, p);
  const sessionIds = [...seen.values()].map((p) => p.sessionId);
  const [receipts, ledgerEntries, balance] = await Promise.all([
    sessionIds.length
      ? db.query({ receipts: { $: { where: { sessionId: { $in: sessionIds } } } } }).then((r) => r.receipts)
      : [],
    user
      ? db
          .query({ ledgerEntries: { $: { where: { userId: user.id }, order: { createdAt: 'desc' } } } })
          .then((r) => r.ledgerEntries)
      : [],
    user ? balanceOf(user.id) : 0,
  ]);
  const receiptOf = new Map(receipts.map((r) => [r.sessionId, r]));

  const purchases = [...seen.values()]
    .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())
    .map((p) => toFoundPurchase(p, receiptOf.get(p.sessionId)));

  const downloads = purchases
    .filter((p) => p.kind === 'download')
    .map((p) => {
      try {
        const f = downloadFile({ status: p.status, productId: p.productId ?? undefined });
        return { purchaseId: p.id, title: p.title, available: true, file: f.filename, reason: null };
      } catch (e) {
        return { purchaseId: p.id, title: p.title, available: false, file: null, reason: (e as Error).message };
      }
    });

  // Oldest first, numbered, with the balance after each counted back from the balance the user
  // sees (their open lots), as /credits shows it.
  const ledger = withRunningBalance(ledgerEntries, balance)
    .reverse()
    .map(({ amount, reason, ref, createdAt, balance: after }, i) => ({
      seq: i + 1,
      amount,
      balance: after,
      reason,
      ref,
      createdAt,
    }));
  return {
    email,
    user: user
      ? {
          id: user.id,
          email: user.email ?? email,
          plan: user.plan ?? null,
          stripeCustomerId: user.stripeCustomerId ?? null,
        }
      : null,
    purchases,
    ledger,
    balance,
    downloads,
  };
}
