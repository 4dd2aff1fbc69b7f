import { formatPrice } from '../../../catalog/products.ts';
import { db } from '../instant.ts';
import { configuredPaymentLinks, paymentLinkUrl } from './payment-links.ts';

export function PaymentLinks() {
  const { user } = db.useAuth();
  const links = configuredPaymentLinks();
  if (!links.length) return null;
  return (
    <div className="card" data-testid="payment-links">
      <strong>Or pay with a Stripe payment link</strong>
      <div className="row">
        {links.map(({ product, url }) => (
          <button
            key={product.id}
            className="secondary"
            data-testid={`link-${product.id}`}
            onClick={() => window.location.assign(paymentLinkUrl(url, user ? { userId: user.id, email: user.email } : null))}
          >
            {product.title} {formatPrice(product)}
          </button>
        ))}
      </div>
    </div>
  );
}
