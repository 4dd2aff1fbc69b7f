import type { ReactNode } from 'react';
import { findProduct } from '../../../catalog/products.ts';

type Item = { id: string; status: string; productId?: string | null };

/** Purchases one line each: what, its status, and Download for a paid download the viewer may fetch. */
export function PurchaseItems<P extends Item>({
  purchases,
  testId,
  status,
  download,
}: {
  purchases: readonly P[];
  testId: string;
  status: (p: P) => ReactNode;
  /** How this viewer fetches a paid download, or null where it cannot. */
  download: (p: P) => { testId: string; go: () => void } | null;
}) {
  return (
    <ul className="purchases" data-testid={testId}>
      {purchases.map((p) => {
        const product = findProduct(p.productId ?? '');
        const fetchIt = product?.kind === 'download' && p.status === 'paid' ? download(p) : null;
        return (
          <li key={p.id} data-status={p.status}>
            {product?.title ?? 'Purchase'}: {status(p)}{' '}
            {fetchIt ? (
              <button className="link" data-testid={fetchIt.testId} onClick={fetchIt.go}>
                Download
              </button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
