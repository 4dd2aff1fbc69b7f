import { Link } from 'react-router';
import type { AttentionCount, AttentionKind } from '../../../../contracts/ops.ts';

export const ATTENTION_LABEL: Record<AttentionKind, string> = {
  unfulfilled: 'Paid but not fulfilled',
  'failed-receipts': 'Receipts that failed to send',
  'stale-pending': 'Async payments pending over a day',
  'open-disputes': 'Open disputes',
};

/** A reason's first clause ("Unknown purchase type"); the whole text is the item's title and is on the list page. */
const headline = (reason: string) => reason.split(/[:.]/)[0];

/** What needs an operator: a count each, linking to the list of those purchases. */
export function Attention({ counts }: { counts: AttentionCount[] }) {
  return (
    <section className="card" data-testid="ov-attention">
      <h2>Needs attention</h2>
      <ul className="attention">
        {counts.map((a) => (
          <li key={a.kind} data-kind={a.kind} data-count={a.count} className={a.count ? 'due' : undefined}>
            <Link to={a.href} data-testid={`ov-attention-${a.kind}`}>
              <strong>{a.count}</strong> {ATTENTION_LABEL[a.kind] ?? a.kind}
            </Link>
            {a.reasons?.length ? (
              <ul className="small">
                {a.reasons.map((r) => (
                  <li key={r.reason} title={r.reason}>
                    {r.count} × {headline(r.reason)}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
