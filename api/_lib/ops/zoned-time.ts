// Days and hours in the operator's time zone (an IANA name), for the overview's series and the
// exports' ranges: a day is the span between two local midnights, so it lasts 23 or 25 hours
// across a daylight-saving change, and every day of a range is listed, empty ones included.
import { HttpError } from '../platform/http.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAX_RANGE_DAYS = 366;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The zone's formatter; an unknown zone is a 400 that names the fix. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new HttpError(
        400,
        `timeZone must be an IANA time zone name such as Europe/Paris or America/New_York (got "${timeZone}").`,
      );
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** The zone's canonical name; an unknown zone is a 400 that names the fix. */
export function checkTimeZone(timeZone: string): string {
  return formatter(timeZone).resolvedOptions().timeZone;
}

function parts(ms: number, timeZone: string) {
  const p = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of an instant in the zone. */
export function dayOf(ms: number, timeZone: string): string {
  const { y, mo, d } = parts(ms, timeZone);
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** `YYYY-MM-DDTHH` of an instant in the zone. */
export function hourOf(ms: number, timeZone: string): string {
  return `${dayOf(ms, timeZone)}T${pad(parts(ms, timeZone).h)}`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(day: string, name: string): number {
  const m = DAY.exec(day);
  const utc = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== day)
    throw new HttpError(400, `\`${name}\` must be a day as YYYY-MM-DD (got "${day}").`);
  return utc;
}

/** The instant the zone's clocks show 00:00 on `day` (the first instant of that day). */
export function startOfDay(day: string, timeZone: string): number {
  const wall = parseDay(day, 'day');
  // The zone's offset at a guess, then again at the corrected guess (an offset change near midnight).
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = parts(guess, timeZone);
    const shown = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
    const next = guess + (wall - shown);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

const addDays = (day: string, n: number) => new Date(parseDay(day, 'day') + n * DAY_MS).toISOString().slice(0, 10);

export type ZonedRange = { from: string; to: string; timeZone: string; days: string[]; start: number; end: number };

/** A range of whole days in the zone, `from` to `to` inclusive; `end` is the next day's first instant. */
export function zonedRange(from: string, to: string, timeZone: string): ZonedRange {
  const zone = checkTimeZone(timeZone);
  const a = parseDay(from, 'from');
  const b = parseDay(to, 'to');
  if (b < a) throw new HttpError(400, `\`to\` (${to}) must not be before \`from\` (${from}).`);
  const count = Math.round((b - a) / DAY_MS) + 1;
  if (count > MAX_RANGE_DAYS) throw new HttpError(400, `A range spans at most ${MAX_RANGE_DAYS} days (got ${count}).`);
  const days = Array.from({ length: count }, (_, i) => addDays(from, i));
  return { from, to, timeZone: zone, days, start: startOfDay(from, zone), end: startOfDay(addDays(to, 1), zone) };
}

/** The last `n` days up to and including today in the zone. */
export function lastDays(n: number, timeZone: string, now = Date.now()): ZonedRange {
  const today = dayOf(now, checkTimeZone(timeZone));
  return zonedRange(addDays(today, 1 - n), today, timeZone);
}

/** Every hour label from `start` to `end` (a fall-back hour shown twice is one label). */
export function hoursBetween(start: number, end: number, timeZone: string): string[] {
  const labels = new Set<string>();
  for (let t = start; t < end; t += HOUR_MS) labels.add(hourOf(t, timeZone));
  if (end > start) labels.add(hourOf(end - 1, timeZone));
  return [...labels];
}
