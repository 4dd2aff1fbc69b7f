// Everything the shop holds for one email, for an operator answering "I paid and lost it":
// purchases (by email or owned by that user) with their Stripe ids and receipts, the user's
// plan and credits ledger, and which downloads are available.
import { findProduct } from '../../../catalog/products.ts';
import { downloadFile } from '../files/download-file.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb } from '../platform/instant-admin.ts';
import type { FindResult } from '../../../contracts/ops.ts';

export type { FindResult } from '../../../contracts/ops.ts';

export async function findByEmail(rawEmail: string): Promise<FindResult> {
  const email = normalizeEmail(rawEmail);
  if (!email) throw new HttpError(400, '`email` is required.');
  const db = adminDb();
  const { $users, purchases: byEmail } = await db.query({
    $users: { $: { where: { email } }, purchases: {} },
    purchases: { $: { where: { email } } },
  });
  const user = $users[0] as (typeof $users)[number] | undefined;
  const seen = new Map<string, any>();
  for (const p of [...byEmail, ...((user?.purchases as any[]) ?? [])]) seen.set(p.id, p);
  const sessionIds = [...seen.values()].map((p) => p.sessionId as string);
  const [{ receipts }, { ledgerEntries }] = await Promise.all([
    sessionIds.length ? db.query({ receipts: { $: { where: { sessionId: { $in: sessionIds } } } } }) : { receipts: [] },
    user ? db.query({ ledgerEntries: { $: { where: { userId: user.id }, order: { seq: 'asc' } } } }) : { ledgerEntries: [] },
  ]);
  const receiptOf = new Map((receipts as any[]).map((r) => [r.sessionId, r]));

  const purchases = [...seen.values()]
    .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())
    .map((p) => {
      const product = findProduct(p.productId ?? '');
      const r = receiptOf.get(p.sessionId);
      return {
        id: p.id as string,
        sessionId: p.sessionId as string,
        paymentIntentId: (p.paymentIntentId as string | undefined) ?? null,
        status: p.status as string,
        access: Boolean(p.unlockToken),
        // Paid but of an unknown type (seed 003's troubleshooting): the reason names the fix.
        unfulfilledReason: (p.unfulfilledReason as string | undefined) ?? null,
        email: (p.email as string | undefined) ?? null,
        productId: (p.productId as string | undefined) ?? null,
        title: product?.title ?? p.productId ?? '(unknown product)',
        kind: product?.kind ?? null,
        amount: (p.amount as number | undefined) ?? null,
        currency: (p.currency as string | undefined) ?? null,
        createdAt: p.createdAt,
        receipt: r ? { status: r.status as string, to: (r.to as string | undefined) ?? null, error: (r.error as string | undefined) ?? null, sentAt: r.sentAt ?? null } : null,
      };
    });

  const downloads = purchases
    .filter((p) => p.kind === 'download')
    .map((p) => {
      try {
        const f = downloadFile({ id: p.id, token: '', status: p.status, productId: p.productId ?? undefined });
        return { purchaseId: p.id, title: p.title, available: true, file: f.filename, reason: null };
      } catch (e) {
        return { purchaseId: p.id, title: p.title, available: false, file: null, reason: (e as Error).message };
      }
    });

  const ledger = (ledgerEntries as any[]).map((e) => ({ seq: e.seq as number, amount: e.amount as number, balance: e.balance as number, reason: e.reason as string, ref: e.ref as string, createdAt: e.createdAt }));
  return {
    email,
    user: user ? { id: user.id, email: user.email ?? email, plan: (user.plan as string | undefined) ?? null, stripeCustomerId: (user.stripeCustomerId as string | undefined) ?? null } : null,
    purchases,
    ledger,
    balance: ledger.at(-1)?.balance ?? 0,
    downloads,
  };
}

