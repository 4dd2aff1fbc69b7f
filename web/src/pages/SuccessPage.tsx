import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { db } from '../instant.ts';
import { postJson } from '../shop/api.ts';
import { useTokens } from '../shop/purchase-tokens.ts';
import { WallpaperCard } from '../shop/WallpaperCard.tsx';

/**
 * Back from Stripe. Asks the server to confirm the session (in case the webhook is slower) and
 * shows the purchase live: "confirming payment" turns into the unlocked content without a reload.
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

  const { data } = db.useQuery(
    sessionId ? { purchases: { $: { where: { sessionId } }, wallpapers: { $: { order: { order: 'asc' } } } } } : null,
    { ruleParams: { tokens } },
  );
  const purchase = data?.purchases[0];
  if (!sessionId) return <p>No checkout to confirm. <Link to="/">Back to the shop</Link>.</p>;

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
        <p>Nothing was unlocked. <Link to="/">Back to the shop</Link>.</p>
      </section>
    );
  }
  return (
    <section data-testid="success-paid">
      <h1>Thank you!</h1>
      <p>Your wallpapers are unlocked in this browser. <Link to="/">Back to the shop</Link>.</p>
      <div className="grid">
        {purchase.wallpapers.map((w) => <WallpaperCard key={w.id} w={w} tokens={tokens} />)}
      </div>
    </section>
  );
}
