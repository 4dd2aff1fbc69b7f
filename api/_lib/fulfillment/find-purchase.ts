// One purchase by its id, with its owner: what the download functions check a request against.
import type { InstaQLEntity } from '@instantdb/admin';
import type { AppSchema } from '../../../instant.schema.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb } from '../platform/instant-admin.ts';

const withOwner = { owner: {} } as const;
export type Purchase = InstaQLEntity<AppSchema, 'purchases', typeof withOwner>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findPurchase(purchaseId: string): Promise<Purchase> {
  if (!UUID.test(purchaseId)) throw new HttpError(404, `No purchase ${purchaseId}.`);
  const { purchases } = await adminDb().query({ purchases: { $: { where: { id: purchaseId } }, ...withOwner } });
  const p = purchases[0];
  if (!p) throw new HttpError(404, `No purchase ${purchaseId}.`);
  return p;
}
