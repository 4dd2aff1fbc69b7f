// What a `download` purchase may fetch, checked the same way when a signed URL is issued and
// when it is used: the purchase exists and is paid, its product is still sold, and the asset
// stays inside private/products/. (The purchase itself is read by fulfillment/find-purchase.ts.)
import { statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { findProduct, type Product } from '../../../catalog/products.ts';
import type { Purchase } from '../fulfillment/find-purchase.ts';
import { HttpError } from '../platform/http.ts';

export const PRODUCTS_DIR = resolve(process.cwd(), 'private', 'products');

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the check needs of a purchase (fulfillment/find-purchase.ts reads it). */
export type DownloadablePurchase = Pick<Purchase, 'status' | 'productId'>;

/** The file a paid download purchase gives, or the HTTP error that says why not. */
export function downloadFile(
  p: DownloadablePurchase,
  {
    productsDir = PRODUCTS_DIR,
    lookup = findProduct,
  }: { productsDir?: string; lookup?: (id: string) => Product | undefined } = {},
): { path: string; filename: string; size: number; contentType: string } {
  const product = lookup(p.productId ?? '');
  if (!product || product.kind !== 'download' || product.withdrawn)
    throw new HttpError(410, 'This product is no longer available for download.');
  if (p.status === 'refunded' || p.status === 'disputed')
    throw new HttpError(410, `This purchase was ${p.status}, so it can no longer be downloaded.`);
  if (p.status !== 'paid') throw new HttpError(403, 'This purchase is not paid.');
  const path = resolve(productsDir, product.file);
  const rel = relative(productsDir, path);
  if (rel.startsWith('..') || rel.includes(`..${sep}`) || resolve(productsDir, rel) !== path || rel === '') {
    throw new HttpError(
      400,
      `The asset of "${product.id}" would leave private/products/: fix its \`file\` in catalog/products.ts.`,
    );
  }
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    console.error(`download asset missing: ${join('private/products', rel)}`);
    throw new HttpError(500, 'The file is missing on the server; the shop owner has been told.');
  }
  return {
    path,
    filename: rel.split(sep).pop()!,
    size,
    contentType: TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
  };
}
