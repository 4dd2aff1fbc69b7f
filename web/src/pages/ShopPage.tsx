import { useEffect } from 'react';
import { Link } from 'react-router';
import { PRODUCTS } from '../../../catalog/products.ts';
import { BuyButton } from '../shop/BuyButton.tsx';
import { PaymentLinks } from '../shop/PaymentLinks.tsx';
import { PurchaseList } from '../shop/PurchaseList.tsx';
import { pruneTokens, useTokens } from '../shop/purchase-tokens.ts';
import { useTokenQuery } from '../shop/use-token-query.ts';
import { WallpaperCard } from '../shop/WallpaperCard.tsx';

/** The wallpaper shop. Tokens in ruleParams make Instant reveal `fullResUrl` for what they paid for. */
export function ShopPage() {
  const tokens = useTokens();
  const { data, isLoading, error } = useTokenQuery(
    { wallpapers: { $: { order: { order: 'asc' } }, purchases: { $: { fields: ['unlockToken'] } } }, purchases: { $: { order: { createdAt: 'desc' } } } },
    tokens,
  );
  // Tokens whose checkout ended unpaid, or never happened, are forgotten (a complete result only).
  useEffect(() => {
    if (data) pruneTokens(data.purchases);
  }, [data]);
  if (error) return <p className="error">Could not load the shop: {error.message}</p>;
  const packs = PRODUCTS.filter((p) => p.kind === 'wallpaper-pack' || p.kind === 'download');
  return (
    <section>
      <h1>Wallpapers</h1>
      <p className="muted">Buy once, no account. Lost your purchase? <Link to="/recover">Recover it by email</Link>.</p>
      <div className="products">{packs.map((p) => <BuyButton key={p.id} product={p} />)}</div>
      <PaymentLinks />
      <PurchaseList purchases={data?.purchases ?? []} />
      {isLoading ? <p>Loading…</p> : (
        <div className="grid">
          {data!.wallpapers.map((w) => <WallpaperCard key={w.id} w={w} tokens={unlockingTokens(w.purchases)} />)}
        </div>
      )}
    </section>
  );
}

/** The buyer's tokens that paid for a wallpaper (its purchases the buyer can see, still granting access). */
function unlockingTokens(purchases: { unlockToken?: string }[] | undefined): string[] {
  return (purchases ?? []).flatMap((p) => (p.unlockToken ? [p.unlockToken] : []));
}
