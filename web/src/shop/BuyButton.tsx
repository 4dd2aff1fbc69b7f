import { formatPrice, type Product } from '../../../catalog/products.ts';
import { postJson } from '../api-client.ts';
import { useRedirect } from '../use-redirect.ts';
import { newPurchaseToken } from './purchase-tokens.ts';

/** Makes and saves the purchase token first, then opens Stripe Checkout. */
export function BuyButton({ product }: { product: Product }) {
  const { busy, error, go } = useRedirect();
  const buy = () =>
    go(async () => {
      const token = newPurchaseToken();
      return (await postJson<{ url: string }>('/api/checkout', { token, productId: product.id })).url;
    });
  return (
    <div className="row">
      <button onClick={buy} disabled={busy !== null} data-testid={`buy-${product.id}`}>
        Buy {formatPrice(product)}
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
