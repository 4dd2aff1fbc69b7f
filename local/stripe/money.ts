/** Currencies whose amounts have no minor unit (Stripe's list). */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/** Formats an integer amount in minor units, e.g. 1999 usd → "$19.99". */
export function formatAmount(amount: number, currency: string): string {
  const divisor = ZERO_DECIMAL.has(currency) ? 1 : 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      amount / divisor,
    );
  } catch {
    return `${(amount / divisor).toFixed(divisor === 1 ? 0 : 2)} ${currency.toUpperCase()}`;
  }
}
