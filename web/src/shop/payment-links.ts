// Payment links pasted into settings (VITE_CHECKOUT_URL_<PRODUCT_ID>), opened with who is buying:
// the signed-in user's id, or a fresh purchase token saved first (as the Buy button does).
import { findProduct, type Product } from '../../../catalog/products.ts';
import { newPurchaseToken } from './purchase-tokens.ts';

const PREFIX = 'VITE_CHECKOUT_URL_';

export function configuredPaymentLinks(
  env: Record<string, unknown> = import.meta.env,
): { product: Product; url: string }[] {
  return Object.entries(env).flatMap(([key, url]) => {
    if (!key.startsWith(PREFIX) || typeof url !== 'string' || !url) return [];
    const product = findProduct(key.slice(PREFIX.length).toLowerCase().replace(/_/g, '-'));
    return product ? [{ product, url }] : [];
  });
}

/** The link with `client_reference_id` (`user_<id>` or `token_<token>`) and `prefilled_email`. */
export function paymentLinkUrl(base: string, who: { userId: string; email?: string | null } | null): string {
  const url = new URL(base);
  url.searchParams.set('client_reference_id', who ? `user_${who.userId}` : `token_${newPurchaseToken()}`);
  if (who?.email) url.searchParams.set('prefilled_email', who.email);
  return url.toString();
}
