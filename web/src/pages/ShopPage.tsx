import { useEffect } from 'react';
import { Link } from 'react-router';
import { PRODUCTS, type Product } from '../../../catalog/products.ts';
import { BuyButton } from '../shop/BuyButton.tsx';
import { configuredPaymentLinks } from '../shop/payment-links.ts';
import { PaymentLinkOption } from '../shop/PaymentLinks.tsx';
import { ProductCard } from '../shop/ProductCard.tsx';
import { PurchaseList } from '../shop/PurchaseList.tsx';
import { pruneTokens, useTokens } from '../shop/purchase-tokens.ts';
import { useTokenQuery } from '../shop/use-token-query.ts';
import { WallpaperCard } from '../shop/WallpaperCard.tsx';

/** The wallpaper shop. Tokens in ruleParams make Instant reveal `fullResUrl` for what they paid for. */
export function ShopPage() {
  const tokens = useTokens();
  const { data, isLoading, error } = useTokenQuery(
    {
      wallpapers: { $: { order: { order: 'asc' } }, purchases: { $: { fields: ['unlockToken'] } } },
      purchases: { $: { order: { createdAt: 'desc' } } },
    },
    tokens,
  );
  // Tokens whose checkout ended unpaid, or never happened, are forgotten (a complete result only).
  useEffect(() => {
    if (data) pruneTokens(data.purchases);
  }, [data]);
  const links = new Map(configuredPaymentLinks().map(({ product, url }) => [product.id, url]));
  if (error) return <p className="error">Could not load the shop: {error.message}</p>;
  // Buy buttons sell wallpapers and downloads; credits and plans sold here only by a payment link.
  const sellsHere = (p: Product) => p.kind === 'wallpaper-pack' || p.kind === 'download';
  const packs = PRODUCTS.filter(sellsHere);
  const linkedOnly = PRODUCTS.filter((p) => !sellsHere(p) && links.has(p.id));
  return (
    <section>
      <h1>Wallpapers</h1>
      <p className="muted">
        Buy once, no account. Lost your purchase? <Link to="/recover">Recover it by email</Link>.
      </p>
      <div className="products" data-testid="products">
        {packs.map((p) => (
          <ProductCard key={p.id} product={p}>
            <BuyButton product={p} />
            {links.has(p.id) ? <PaymentLinkOption product={p} url={links.get(p.id)!} /> : null}
          </ProductCard>
        ))}
      </div>
      <PurchaseList purchases={data?.purchases ?? []} />
      {isLoading ? (
        <p>Loading…</p>
      ) : (
        <div className="grid">
          {data!.wallpapers.map((w) => (
            <WallpaperCard key={w.id} w={w} tokens={unlockingTokens(w.purchases)} />
          ))}
        </div>
      )}
      {linkedOnly.length ? (
        <>
          <h2>Credits and plans</h2>
          <p className="muted">
            For the <Link to="/credits">haiku writer</Link>: they belong to an account, named by the email you pay with.
          </p>
          <div className="products" data-testid="account-products">
            {linkedOnly.map((p) => (
              <ProductCard key={p.id} product={p}>
                <PaymentLinkOption product={p} url={links.get(p.id)!} primary />
              </ProductCard>
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}

/** The buyer's tokens that paid for a wallpaper (its purchases the buyer can see, still granting access). */
function unlockingTokens(purchases: { unlockToken?: string }[] | undefined): string[] {
  return (purchases ?? []).flatMap((p) => (p.unlockToken ? [p.unlockToken] : []));
}
