import { Link } from 'react-router';
import type { Product } from '../../../catalog/products.ts';
import { db } from '../instant.ts';
import { paymentLinkUrl } from './payment-links.ts';

/** Where what a payment link buys lands, in the buyer's words. */
function whereItLands(product: Product, signedInAs: string | null) {
  const account = signedInAs ? (
    <>your account ({signedInAs})</>
  ) : (
    <>
      the account of the email you pay with — sign in with it at <Link to="/credits">/credits</Link>
    </>
  );
  switch (product.kind) {
    case 'credits':
      return <>Credits go to {account}.</>;
    case 'plan':
      return <>The plan goes to {account}.</>;
    case 'download':
      return <>Download it right after paying, and later from this browser or by recovering it with your email.</>;
    default:
      return <>Unlocks in this browser right after paying; recover it later with the email you pay with.</>;
  }
}

/** A product's Stripe payment link, with what the buyer gets and where it lands. */
export function PaymentLinkOption({
  product,
  url,
  primary = false,
}: {
  product: Product;
  url: string;
  primary?: boolean;
}) {
  const { user } = db.useAuth();
  return (
    <div className="payment-link">
      <button
        className={primary ? undefined : 'secondary'}
        data-testid={`link-${product.id}`}
        onClick={() =>
          window.location.assign(paymentLinkUrl(url, user ? { userId: user.id, email: user.email } : null))
        }
      >
        {primary ? 'Pay with a payment link' : 'Or pay with a payment link'}
      </button>
      <p className="muted small" data-testid={`link-note-${product.id}`}>
        {whereItLands(product, user?.email ?? null)}
      </p>
    </div>
  );
}
