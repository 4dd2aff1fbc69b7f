// How the pages write amounts and times: one formatter each.

import { formatMoney } from '../../contracts/money.ts';

/** Minor units of a currency as money (`1234, 'eur'` → `€12.34`); `—` when unknown. */
export const money = (amount: number | null, currency: string | null) =>
  amount === null || !currency ? '—' : formatMoney(amount, currency);

/** A stored time in the viewer's locale and time zone; `—` when absent. */
export const when = (d: number | string | null | undefined) => (d ? new Date(d).toLocaleString() : '—');
