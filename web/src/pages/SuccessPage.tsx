import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { findProduct } from '../../../catalog/products.ts';
import { downloadUrl, postJson } from '../api-client.ts';
import { useRedirect } from '../use-redirect.ts';
import { useTokens } from '../shop/purchase-tokens.ts';
import { useTokenQuery } from '../shop/use-token-query.ts';
import { WallpaperCard } from '../shop/WallpaperCard.tsx';

/**
 * Back from Stripe. Asks the server to confirm the session (in case the webhook is slower) and
 * shows the purchase live: "confirming payment" turns into what was bought without a reload.
 * The purchase is visible to the holder of its token, or to its signed-in buyer by email.
 */
export function SuccessPage() {
  const [params] = useSearchParams();
  const sessionId = params.get('session_id') ?? '';
  const tokens = useTokens();
  const [confirmError, setConfirmError] = useState<string | null>(null);

  useEffect(() => {
    if (!sessionId) return;
    postJson('/api/checkout/confirm', { sessionId }).catch((e) => setConfirmError((e as Error).message));
  }, [sessionId]);

  const { data } = useTokenQuery(
    sessionId ? { purchases: { $: { where: { sessionId } }, wallpapers: { $: { order: { order: 'asc' } } } } } : null,
    tokens,
  );
  const purchase = data?.purchases[0];
  if (!sessionId)
    return (
      <p>
        No checkout to confirm. <Link to="/">Back to the shop</Link>.
      </p>
    );

  if (!purchase || purchase.status === 'pending') {
    return (
      <section data-testid="success-pending">
        <h1>Confirming payment…</h1>
        <p className="muted">This page updates by itself as soon as your payment is confirmed.</p>
        {confirmError ? <p className="error">{confirmError}</p> : null}
      </section>
    );
  }
  if (purchase.status !== 'paid') {
    return (
      <section data-testid="success-problem">
        <h1>Payment {purchase.status}</h1>
        <p>
          Nothing was unlocked. <Link to="/">Back to the shop</Link>.
        </p>
      </section>
    );
  }
  const product = findProduct(purchase.productId ?? '');
  return (
    <section data-testid="success-paid">
      <h1>Thank you!</h1>
      {purchase.unfulfilledReason ? (
        <p>
          We received your payment but could not tell what it was for. The shop has been told and will sort it out; your
          receipt has the reference.
        </p>
      ) : product?.kind === 'credits' ? (
        <p>
          {product.credits} credits are on your account. <Link to="/credits">Write haikus</Link>.
        </p>
      ) : product?.kind === 'plan' ? (
        <p>
          You now have the {product.title}. <Link to="/account">See your account</Link>.
        </p>
      ) : product?.kind === 'download' ? (
        <DownloadButton purchaseId={purchase.id} token={purchase.token} />
      ) : (
        <>
          <p>
            Your wallpapers are unlocked in this browser. <Link to="/">Back to the shop</Link>.
          </p>
          <div className="grid">
            {purchase.wallpapers.map((w) => (
              <WallpaperCard key={w.id} w={w} tokens={[purchase.token]} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function DownloadButton({ purchaseId, token }: { purchaseId: string; token: string }) {
  const { error, go } = useRedirect();
  const download = () => go(() => downloadUrl(purchaseId, { token }));
  return (
    <p>
      <button onClick={() => void download()} data-testid="download-purchase">
        Download
      </button>{' '}
      {error ? <span className="error">{error}</span> : null}
    </p>
  );
}
