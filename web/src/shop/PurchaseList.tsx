import { findProduct } from '../../../catalog/products.ts';

export type PurchaseView = { id: string; status: string; productId?: string; email?: string; createdAt?: string | number };

const LABEL: Record<string, string> = {
  pending: 'confirming payment',
  paid: 'paid',
  failed: 'payment failed',
  expired: 'checkout expired',
  refunded: 'refunded: access removed',
  disputed: 'disputed: access paused',
};

export function PurchaseList({ purchases }: { purchases: PurchaseView[] }) {
  if (!purchases.length) return null;
  return (
    <ul className="purchases" data-testid="purchases">
      {purchases.map((p) => (
        <li key={p.id} data-status={p.status}>
          {findProduct(p.productId ?? '')?.title ?? 'Purchase'}: <span className={`status-${p.status}`}>{LABEL[p.status] ?? p.status}</span>
        </li>
      ))}
    </ul>
  );
}
