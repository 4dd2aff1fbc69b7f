import { useState } from 'react';
import type { FindResult } from '../../../contracts/ops.ts';
import { opsCall } from './api.ts';
import { ActionButton } from './ActionButton.tsx';
import { useOpsAction } from './useOpsAction.ts';
import { ErrorNote } from '../ErrorNote.tsx';

type Purchase = FindResult['purchases'][number];

/** Resend the receipt; refund in full or in part (access goes when Stripe's webhook arrives). */
export function PurchaseActions({
  purchase,
  refreshToken,
  onDone,
}: {
  purchase: Purchase;
  refreshToken: string;
  onDone: () => void;
}) {
  const [amount, setAmount] = useState('');
  // One id per refund the operator means to make: a double click is still one refund.
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const action = useOpsAction(onDone);
  const refundable =
    purchase.paymentIntentId &&
    (purchase.status === 'paid' || purchase.status === 'refunded' || purchase.status === 'disputed');

  const refund = () =>
    action.run(async () => {
      const cents = amount.trim() ? Math.round(Number(amount) * 100) : undefined;
      if (cents !== undefined && !(cents > 0))
        throw new Error('Enter a positive amount, or leave it empty to refund in full.');
      const r = await opsCall<{ refundId: string; amount: number; status: string }>('refund', refreshToken, {
        sessionId: purchase.sessionId,
        requestId,
        ...(cents ? { amount: cents } : {}),
      });
      setRequestId(crypto.randomUUID());
      setAmount('');
      return `Refund ${r.refundId} (${(r.amount / 100).toFixed(2)}) ${r.status}; access follows Stripe's webhook.`;
    });

  return (
    <div className="ops-actions">
      {purchase.receipt ? (
        <ActionButton
          action={action}
          testId="ops-resend-receipt"
          run={async () => {
            const r = await opsCall<{ result: string; reason?: string }>('resend-receipt', refreshToken, {
              sessionId: purchase.sessionId,
            });
            return `Receipt ${r.result}${r.reason ? `: ${r.reason}` : ''}.`;
          }}
        >
          Resend receipt
        </ActionButton>
      ) : null}
      {refundable ? (
        <span className="row">
          <input
            className="amount"
            inputMode="decimal"
            placeholder="all"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-label="Refund amount"
            data-testid="ops-refund-amount"
          />
          <button disabled={action.busy} data-testid="ops-refund" onClick={() => void refund()}>
            Refund
          </button>
        </span>
      ) : null}
      {action.message ? <p data-testid="ops-action-result">{action.message}</p> : null}
      <ErrorNote error={action.error} />
    </div>
  );
}
