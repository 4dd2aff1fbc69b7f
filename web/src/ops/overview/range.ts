// The overview's range as the page's address holds it (`/ops?range=7d`, `/ops?range=custom&from=…&to=…`),
// so that a reload, a link or the back button shows the same figures.
import type { OverviewInput } from '../../../../contracts/ops.ts';

export const RANGES = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'custom', label: 'Custom' },
] as const;

/** The operator's time zone, as this browser reports it: days and hours on the overview are in it. */
export const operatorTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Today's date (`YYYY-MM-DD`) in a time zone. */
export const todayIn = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What the address asks for; anything unreadable falls back to today. */
export function rangeFromSearch(search: URLSearchParams, timeZone: string): OverviewInput {
  const range = RANGES.find((r) => r.value === search.get('range'))?.value ?? 'today';
  if (range !== 'custom') return { range, timeZone };
  const today = todayIn(timeZone);
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  return { range, from: DAY.test(from) ? from : today, to: DAY.test(to) ? to : today, timeZone };
}

export function searchFromRange(input: OverviewInput): Record<string, string> {
  return input.range === 'custom' ? { range: input.range, from: input.from!, to: input.to! } : { range: input.range };
}
