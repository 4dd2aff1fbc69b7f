// Days and hours in an operator's time zone, daylight-saving changes included.
import { describe, expect, it } from 'vitest';
import { dayOf, hoursBetween, lastDays, startOfDay, zonedRange } from './zoned-time.ts';

describe('zoned time', () => {
  it('finds local midnight, also on the days the clocks change', () => {
    expect(new Date(startOfDay('2026-06-15', 'Europe/Paris')).toISOString()).toBe('2026-06-14T22:00:00.000Z');
    expect(new Date(startOfDay('2026-01-15', 'Europe/Paris')).toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(new Date(startOfDay('2026-03-29', 'Europe/Paris')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(startOfDay('2026-03-30', 'Europe/Paris')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(startOfDay('2026-01-15', 'Asia/Kolkata')).toISOString()).toBe('2026-01-14T18:30:00.000Z');
    expect(new Date(startOfDay('2026-01-15', 'UTC')).toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  it('lists every day of a range and ends it at the next local midnight', () => {
    const r = zonedRange('2026-03-28', '2026-03-30', 'Europe/Paris');
    expect(r.days).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    expect(r.end - r.start).toBe((72 - 1) * 3_600_000); // one day of 23 hours
    expect(
      hoursBetween(startOfDay('2026-03-29', 'Europe/Paris'), startOfDay('2026-03-30', 'Europe/Paris'), 'Europe/Paris'),
    ).toHaveLength(23);
    expect(
      hoursBetween(startOfDay('2026-10-25', 'Europe/Paris'), startOfDay('2026-10-26', 'Europe/Paris'), 'Europe/Paris'),
    ).toHaveLength(24);
  });

  it('counts the last days back from today in the zone', () => {
    const now = Date.parse('2026-05-01T23:30:00Z'); // already 2 May in Paris
    expect(dayOf(now, 'Europe/Paris')).toBe('2026-05-02');
    expect(lastDays(7, 'Europe/Paris', now).days).toEqual([
      '2026-04-26',
      '2026-04-27',
      '2026-04-28',
      '2026-04-29',
      '2026-04-30',
      '2026-05-01',
      '2026-05-02',
    ]);
  });

  it('refuses a zone, a day or a range it cannot use, naming the fix', () => {
    expect(() => zonedRange('2026-01-01', '2026-01-02', 'Mars/Olympus')).toThrow(/IANA time zone name/);
    expect(() => zonedRange('2026-02-30', '2026-03-01', 'UTC')).toThrow(/YYYY-MM-DD/);
    expect(() => zonedRange('2026-03-02', '2026-03-01', 'UTC')).toThrow(/must not be before/);
    expect(() => zonedRange('2020-01-01', '2026-03-01', 'UTC')).toThrow(/at most 366 days/);
  });
});
