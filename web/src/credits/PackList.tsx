import { formatPrice, PRODUCTS } from '../../../catalog/products.ts';
import { postJson } from '../api-client.ts';
import { useRedirect } from '../use-redirect.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** One button per credit pack; the server makes the Checkout Session for the signed-in user. */
export function PackList({ refreshToken }: { refreshToken: string }) {
  const { busy, error, go } = useRedirect();
  const packs = PRODUCTS.filter((p) => p.kind === 'credits');
  const buy = (packId: string) =>
    go(
      async () => (await postJson<{ url: string }>('/api/credits/checkout', { packId }, { refreshToken })).url,
      packId,
    );
  return (
    <div>
      <div className="products">
        {packs.map((p) => (
          <div key={p.id} className="product card" data-testid={`pack-${p.id}`}>
            <strong>{p.title}</strong> <span className="muted">{p.description}</span>
            <div className="row">
              <button onClick={() => void buy(p.id)} disabled={busy !== null} data-testid={`buy-${p.id}`}>
                Buy {formatPrice(p)}
              </button>
            </div>
          </div>
        ))}
      </div>
      <ErrorNote error={error} />
    </div>
  );
}
