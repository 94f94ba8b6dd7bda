import { describe, expect, it } from 'vitest';
import { placeLocalTime, type LocalTime } from '../../src/domain/time.js';

const clock = (hour: number, minute: number): LocalTime => ({ date: null, hour, minute });
const dated = (year: number, month: number, day: number, hour: number, minute: number): LocalTime => ({
  date: { year, month, day },
  hour,
  minute,
});

describe('placeLocalTime', () => {
  it.each<[string, LocalTime, string, string, string]>([
    ['earlier today', clock(14, 5), 'UTC', '2024-04-09T15:00:00Z', '2024-04-09T14:05:00Z'],
    ['this very minute', clock(15, 0), 'UTC', '2024-04-09T15:00:00Z', '2024-04-09T15:00:00Z'],
    ['later today means yesterday', clock(23, 55), 'UTC', '2024-04-09T00:10:00Z', '2024-04-08T23:55:00Z'],
    ['today in London summer (BST)', clock(16, 4), 'Europe/London', '2024-07-01T16:00:00Z', '2024-07-01T15:04:00Z'],
    ['today in New York (EDT)', clock(5, 0), 'America/New_York', '2023-09-20T12:00:00Z', '2023-09-20T09:00:00Z'],
    ['yesterday across a month end', clock(23, 0), 'UTC', '2024-03-01T01:00:00Z', '2024-02-29T23:00:00Z'],
    ['yesterday across a year end', clock(22, 30), 'Asia/Kolkata', '2024-12-31T18:45:00Z', '2024-12-31T17:00:00Z'],
    ['the local day, not the UTC day', clock(1, 0), 'Asia/Tokyo', '2024-04-09T17:00:00Z', '2024-04-09T16:00:00Z'],
    ['a dated time', dated(2024, 4, 9, 6, 45), 'UTC', '2024-05-01T00:00:00Z', '2024-04-09T06:45:00Z'],
    ['a dated time in CEST', dated(2024, 4, 9, 9, 25), 'Europe/Berlin', '2024-05-01T00:00:00Z', '2024-04-09T07:25:00Z'],
    ['a dated time in winter', dated(2024, 1, 15, 9, 0), 'Europe/London', '2024-05-01T00:00:00Z', '2024-01-15T09:00:00Z'],
    ['yesterday across the spring DST change', clock(1, 30), 'Europe/London', '2024-03-31T00:20:00Z', '2024-03-30T01:30:00Z'],
  ])('%s', (_name, local, zone, now, expected) => {
    expect(new Date(placeLocalTime(local, zone, Date.parse(now))).toISOString()).toBe(new Date(expected).toISOString());
  });

  it.each<[string, number, string]>([
    ['a few seconds early, within the skew: today', 60_000, '2024-04-09T14:05:00Z'],
    ['a few seconds early, without a skew: yesterday', 0, '2024-04-08T14:05:00Z'],
  ])('%s', (_name, skew, expected) => {
    const now = Date.parse('2024-04-09T14:04:50Z');
    expect(new Date(placeLocalTime(clock(14, 5), 'UTC', now, skew)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('refuses an unknown zone', () => {
    expect(() => placeLocalTime(clock(1, 0), 'Nowhere/Land', 0)).toThrow(RangeError);
  });
});
