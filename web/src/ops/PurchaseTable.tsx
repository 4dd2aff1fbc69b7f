import type { ReactNode } from 'react';
import type { FoundPurchase } from '../../../contracts/ops.ts';
import { DataTable, type Column } from '../DataTable.tsx';
import { money, when } from '../format.ts';

const COLUMNS: Column<FoundPurchase>[] = [
  { header: 'When', cell: (p) => when(p.createdAt) },
  {
    header: 'What',
    cell: (p) => (
      <>
        {p.title}
        {p.unfulfilledReason ? (
          <p className="error" data-testid="ops-unfulfilled">
            Not fulfilled: {p.unfulfilledReason}
          </p>
        ) : null}
      </>
    ),
  },
  {
    header: 'Status',
    cell: (p) => (
      <>
        <span className={`badge status-${p.status}`}>{p.status}</span>
        {p.access ? ' · access' : ''}
      </>
    ),
  },
  { header: 'Paid', num: true, cell: (p) => money(p.amount, p.currency) },
  {
    header: 'Stripe',
    cell: (p) => (
      <span className="ids">
        <code>{p.sessionId}</code>
        <br />
        <code>{p.paymentIntentId ?? '—'}</code>
      </span>
    ),
  },
  {
    header: 'Receipt',
    cell: (p) => (p.receipt ? `${p.receipt.status}${p.receipt.error ? `: ${p.receipt.error}` : ''}` : '—'),
  },
];

const EMAIL: Column<FoundPurchase> = { header: 'Buyer', cell: (p) => p.email ?? '—' };

/** Purchases as the operator sees them (a buyer's, or those needing attention), with optional actions. */
export function PurchaseTable({
  purchases,
  testId,
  withEmail = false,
  actions,
}: {
  purchases: FoundPurchase[];
  testId: string;
  withEmail?: boolean;
  actions?: (p: FoundPurchase) => ReactNode;
}) {
  const columns = [
    ...(withEmail ? [COLUMNS[0], EMAIL, ...COLUMNS.slice(1)] : COLUMNS),
    ...(actions ? [{ header: 'Actions', cell: actions }] : []),
  ];
  return (
    <DataTable
      rows={purchases}
      columns={columns}
      rowProps={(p) => ({ 'data-testid': `ops-purchase-${p.sessionId}`, 'data-status': p.status })}
      className="ops-table"
      testId={testId}
    />
  );
}
