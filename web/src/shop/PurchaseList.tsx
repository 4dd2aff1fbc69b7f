import { useState } from 'react';
import { findProduct } from '../../../catalog/products.ts';
import { downloadUrl } from '../api-client.ts';

export type PurchaseView = { id: string; status: string; token?: string; productId?: string; email?: string; createdAt?: string | number };

const LABEL: Record<string, string> = {
  pending: 'confirming payment',
  paid: 'paid',
  failed: 'payment failed',
  expired: 'checkout expired',
  refunded: 'refunded: access removed',
  disputed: 'disputed: access paused',
};

/** The buyer's purchases (by token or by email), live; paid downloads can be fetched with their token. */
export function PurchaseList({ purchases }: { purchases: PurchaseView[] }) {
  const [error, setError] = useState<string | null>(null);
  if (!purchases.length) return null;
  const download = async (p: PurchaseView) => {
    setError(null);
    try {
      window.location.assign(await downloadUrl(p.id, { token: p.token! }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <ul className="purchases" data-testid="purchases">
        {purchases.map((p) => {
          const product = findProduct(p.productId ?? '');
          return (
            <li key={p.id} data-status={p.status}>
              {product?.title ?? 'Purchase'}: <span className={`status-${p.status}`}>{LABEL[p.status] ?? p.status}</span>{' '}
              {product?.kind === 'download' && p.status === 'paid' && p.token ? (
                <button className="link" data-testid={`download-purchase-${p.id}`} onClick={() => void download(p)}>Download</button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {error ? <p className="error" role="alert">{error}</p> : null}
    </>
  );
}
