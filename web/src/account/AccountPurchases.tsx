import { findProduct } from '../../../catalog/products.ts';
import { downloadUrl } from '../api-client.ts';
import { db } from '../instant.ts';
import { useRedirect } from '../use-redirect.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** Every purchase recorded for the signed-in email, live, with downloads for what they bought. */
export function AccountPurchases({ refreshToken }: { refreshToken: string }) {
  const { data, isLoading } = db.useQuery({ purchases: { $: { order: { createdAt: 'desc' } } } });
  const { error, go } = useRedirect();
  if (isLoading || !data) return null;
  if (!data.purchases.length) return <p className="muted">No purchases yet.</p>;
  const download = (purchaseId: string) => go(() => downloadUrl(purchaseId, { refreshToken }));
  return (
    <div className="card">
      <ul className="purchases" data-testid="account-purchases">
        {data.purchases.map((p) => {
          const product = findProduct(p.productId ?? '');
          return (
            <li key={p.id} data-status={p.status}>
              {product?.title ?? 'Purchase'}: {p.status}{' '}
              {product?.kind === 'download' && p.status === 'paid' ? (
                <button className="link" data-testid={`download-${p.id}`} onClick={() => void download(p.id)}>
                  Download
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <ErrorNote error={error} />
    </div>
  );
}
