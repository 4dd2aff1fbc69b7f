import type { InstaQLEntity } from '@instantdb/react';
import type { AppSchema } from '../../../instant.schema.ts';
import { downloadUrl } from '../api-client.ts';
import { useRedirect } from '../use-redirect.ts';
import { ErrorNote } from '../ErrorNote.tsx';
import { PurchaseItems } from './PurchaseItems.tsx';

type Purchase = InstaQLEntity<AppSchema, 'purchases'>;
/** A purchase as a buyer's query shows it (the fields instant.perms.ts lets a token holder read). */
export type PurchaseView = Pick<Purchase, 'id' | 'status' | 'productId' | 'email'> &
  Partial<Pick<Purchase, 'token' | 'createdAt'>>;

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
  const { error, go } = useRedirect();
  if (!purchases.length) return null;
  const download = (p: PurchaseView) => go(() => downloadUrl(p.id, { token: p.token! }));
  return (
    <>
      <PurchaseItems
        purchases={purchases}
        testId="purchases"
        status={(p) => <span className={`status-${p.status}`}>{LABEL[p.status] ?? p.status}</span>}
        download={(p) => (p.token ? { testId: `download-purchase-${p.id}`, go: () => void download(p) } : null)}
      />
      <ErrorNote error={error} />
    </>
  );
}
