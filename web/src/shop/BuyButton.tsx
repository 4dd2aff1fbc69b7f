import { useState } from 'react';
import { formatPrice, type Product } from '../../../catalog/products.ts';
import { postJson } from '../api-client.ts';
import { newPurchaseToken } from './purchase-tokens.ts';

/** Makes and saves the purchase token first, then opens Stripe Checkout. */
export function BuyButton({ product }: { product: Product }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const buy = async () => {
    setBusy(true);
    setError(null);
    try {
      const token = newPurchaseToken();
      const { url } = await postJson<{ url: string }>('/api/checkout', { token, productId: product.id });
      window.location.assign(url);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="row">
      <button onClick={buy} disabled={busy} data-testid={`buy-${product.id}`}>Buy {formatPrice(product)}</button>
      {error ? <span className="error" role="alert">{error}</span> : null}
    </div>
  );
}
