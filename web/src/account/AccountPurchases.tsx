import { downloadUrl } from '../api-client.ts';
import { db } from '../instant.ts';
import { useRedirect } from '../use-redirect.ts';
import { ErrorNote } from '../ErrorNote.tsx';
import { PurchaseItems } from '../shop/PurchaseItems.tsx';

/** Every purchase recorded for the signed-in email, live, with downloads for what they bought. */
export function AccountPurchases({ refreshToken }: { refreshToken: string }) {
  const { data, isLoading } = db.useQuery({ purchases: { $: { order: { createdAt: 'desc' } } } });
  const { error, go } = useRedirect();
  if (isLoading || !data) return null;
  if (!data.purchases.length) return <p className="muted">No purchases yet.</p>;
  const download = (purchaseId: string) => go(() => downloadUrl(purchaseId, { refreshToken }));
  return (
    <div className="card">
      <PurchaseItems
        purchases={data.purchases}
        testId="account-purchases"
        status={(p) => p.status}
        download={(p) => ({ testId: `download-${p.id}`, go: () => void download(p.id) })}
      />
      <ErrorNote error={error} />
    </div>
  );
}
