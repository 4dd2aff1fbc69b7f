import { findProduct, formatPrice, PRODUCTS } from '../../../catalog/products.ts';
import { postJson } from '../api-client.ts';
import { useRedirect } from '../use-redirect.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** The user's plan (live from $users) and the plans above it. */
export function PlanCard({ planId, refreshToken }: { planId: string | null; refreshToken: string }) {
  const current = planId ? findProduct(planId) : undefined;
  const level = current?.kind === 'plan' ? current.level : 0;
  const { error, go } = useRedirect();
  const buy = (id: string) =>
    go(async () => (await postJson<{ url: string }>('/api/plans/checkout', { planId: id }, { refreshToken })).url);
  return (
    <div className="card">
      <p>
        Your plan: <strong data-testid="plan">{current?.title ?? 'Free'}</strong>
      </p>
      <div className="row">
        {PRODUCTS.filter((p) => p.kind === 'plan').map((p) => (
          <button
            key={p.id}
            disabled={p.kind === 'plan' && p.level <= level}
            onClick={() => void buy(p.id)}
            data-testid={`buy-${p.id}`}
          >
            {p.kind === 'plan' && p.level <= level ? `${p.title} (included)` : `Get ${p.title} ${formatPrice(p)}`}
          </button>
        ))}
      </div>
      <ErrorNote error={error} />
    </div>
  );
}
