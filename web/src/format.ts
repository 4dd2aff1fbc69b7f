// How the pages write amounts and times: one formatter each.

const formats = new Map<string, Intl.NumberFormat>();
const formatOf = (currency: string) => {
  const code = currency.toUpperCase();
  let f = formats.get(code);
  if (!f) formats.set(code, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency: code })));
  return f;
};

/** Minor units of a currency as money (`1234, 'eur'` → `€12.34`); `—` when unknown. */
export const money = (amount: number | null, currency: string | null) =>
  amount === null || !currency ? '—' : formatOf(currency).format(amount / 100);

/** A stored time in the viewer's locale and time zone; `—` when absent. */
export const when = (d: number | string | null | undefined) => (d ? new Date(d).toLocaleString() : '—');
