// How amounts are written, in the browser and in receipts alike.

// Building a formatter costs far more than formatting with one; there are few currencies.
const formats = new Map<string, Intl.NumberFormat>();

/** Minor units of a currency as money (`1234, 'eur'` → `€12.34`). */
export function formatMoney(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  let f = formats.get(code);
  if (!f) formats.set(code, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency: code })));
  return f.format(amount / 100);
}
