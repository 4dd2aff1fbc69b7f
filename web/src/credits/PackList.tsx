import { useState } from 'react';
import { formatPrice, PRODUCTS } from '../../../catalog/products.ts';
import { postJson } from '../api-client.ts';

/** One button per credit pack; the server makes the Checkout Session for the signed-in user. */
export function PackList({ refreshToken }: { refreshToken: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const packs = PRODUCTS.filter((p) => p.kind === 'credits');
  const buy = async (packId: string) => {
    setBusy(packId);
    setError(null);
    try {
      const { url } = await postJson<{ url: string }>('/api/credits/checkout', { packId }, { refreshToken });
      window.location.assign(url);
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  };
  return (
    <div>
      <div className="products">
        {packs.map((p) => (
          <div key={p.id} className="product card" data-testid={`pack-${p.id}`}>
            <strong>{p.title}</strong> <span className="muted">{p.description}</span>
            <div className="row">
              <button onClick={() => void buy(p.id)} disabled={busy !== null} data-testid={`buy-${p.id}`}>Buy {formatPrice(p)}</button>
            </div>
          </div>
        ))}
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
    </div>
  );
}
