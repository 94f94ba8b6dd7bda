import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalTimeZone,
  compareSlackTs,
  dayKey,
  formatDateTime,
  formatDayHeading,
  formatDuration,
  formatLocalDateTime,
  formatLocalTime,
  formatTime,
  isValidTimeZone,
  msToSlackTs,
  offsetLabel,
  slackTsToMs,
  zoneAbbreviation,
  zoneOffsetMinutes,
} from '../../src/domain/time.js';

const SUMMER = Date.UTC(2024, 6, 1, 12); // 2024-07-01 12:00 UTC
const WINTER = Date.UTC(2024, 0, 15, 12); // 2024-01-15 12:00 UTC
const at = (iso: string): number => Date.parse(iso);

describe('slackTsToMs', () => {
  it.each([
    ['1712645100.000100', 1712645100000],
    ['1712645100.999999', 1712645100999],
    ['1712645100.001000', 1712645100001],
    ['1712645100', 1712645100000],
    ['1712645100.5', 1712645100500],
    ['0.000000', 0],
    [' 1712645100.000200 ', 1712645100000],
  ])('%j → %d', (ts, ms) => {
    expect(slackTsToMs(ts)).toBe(ms);
  });

  it.each(['', 'abc', '1.2.3', '-1.000000', '1712645100.1234567', '1e9', '.5'])('refuses %j', (ts) => {
    expect(() => slackTsToMs(ts)).toThrow(RangeError);
  });

  it('round-trips through msToSlackTs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const ts = msToSlackTs(ms);
        expect(ts).toMatch(/^\d+\.\d{6}$/);
        expect(slackTsToMs(ts)).toBe(ms);
      }),
    );
  });

  it.each([
    ['999.000001', '1000.000000', -1],
    ['1000.000010', '1000.000009', 1],
    ['1000.1', '1000.100000', 0],
    ['1712645100.000100', '1712645100.000100', 0],
  ])('compareSlackTs(%s, %s) has sign %d', (a, b, sign) => {
    expect(Math.sign(compareSlackTs(a, b))).toBe(sign);
  });
});

describe('time zones', () => {
  it.each([
    ['UTC', true],
    ['Etc/UTC', true],
    ['Europe/London', true],
    ['america/new_york', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
    ['EDT', false],
  ])('isValidTimeZone(%j) is %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });

  it('canonicalises the spelling', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('Nowhere/Special')).toBeNull();
  });

  it.each([
    ['UTC', SUMMER, 'UTC'],
    ['Etc/UTC', WINTER, 'UTC'],
    ['Europe/London', SUMMER, 'BST'],
    ['Europe/London', WINTER, 'GMT'],
    ['Europe/Dublin', SUMMER, 'IST'],
    ['Europe/Berlin', SUMMER, 'CEST'],
    ['Europe/Berlin', WINTER, 'CET'],
    ['Europe/Paris', SUMMER, 'CEST'],
    ['Europe/Rome', WINTER, 'CET'],
    ['Europe/Helsinki', SUMMER, 'EEST'],
    ['America/New_York', SUMMER, 'EDT'],
    ['America/New_York', WINTER, 'EST'],
    ['America/Chicago', SUMMER, 'CDT'],
    ['America/Denver', SUMMER, 'MDT'],
    ['America/Los_Angeles', SUMMER, 'PDT'],
    ['America/Los_Angeles', WINTER, 'PST'],
    ['America/St_Johns', WINTER, 'NST'],
    ['Pacific/Honolulu', SUMMER, 'HST'],
    ['Asia/Kolkata', SUMMER, 'IST'],
    ['Asia/Calcutta', WINTER, 'IST'],
    ['Australia/Sydney', SUMMER, 'AEST'],
    ['Australia/Sydney', WINTER, 'AEDT'],
    ['Pacific/Auckland', WINTER, 'NZDT'],
    ['Asia/Tokyo', SUMMER, 'JST'],
    ['Africa/Johannesburg', SUMMER, 'SAST'],
    // No abbreviation in common English use: the offset form.
    ['America/Sao_Paulo', SUMMER, 'GMT-3'],
    ['Asia/Dubai', WINTER, 'GMT+4'],
    ['Asia/Kathmandu', SUMMER, 'GMT+5:45'],
    ['Asia/Tehran', SUMMER, 'GMT+3:30'],
    ['Etc/GMT+3', SUMMER, 'GMT-3'],
  ])('%s at %d is %s', (zone, instant, abbreviation) => {
    expect(zoneAbbreviation(zone, instant)).toBe(abbreviation);
  });

  it.each([
    [0, 'GMT'],
    [60, 'GMT+1'],
    [-180, 'GMT-3'],
    [-210, 'GMT-3:30'],
    [345, 'GMT+5:45'],
    [-570, 'GMT-9:30'],
  ])('offsetLabel(%d) is %s', (minutes, label) => {
    expect(offsetLabel(minutes)).toBe(label);
  });

  it('knows offsets across DST', () => {
    expect(zoneOffsetMinutes('America/New_York', SUMMER)).toBe(-240);
    expect(zoneOffsetMinutes('America/New_York', WINTER)).toBe(-300);
  });

  it('refuses an unknown zone rather than guessing', () => {
    expect(() => formatTime(SUMMER, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => zoneAbbreviation('Nope', SUMMER)).toThrow(RangeError);
  });
});

describe('formatting', () => {
  it.each([
    ['2024-04-09T09:00:00Z', 'America/New_York', '05:00 EDT'],
    ['2024-04-09T06:45:59Z', 'UTC', '06:45 UTC'],
    ['2024-04-09T07:25:00Z', 'Europe/Berlin', '09:25 CEST'],
    ['2024-01-09T07:25:00Z', 'Europe/London', '07:25 GMT'],
    ['2024-04-09T07:25:00Z', 'Asia/Kolkata', '12:55 IST'],
    ['2024-04-09T07:25:00Z', 'Asia/Kathmandu', '13:10 GMT+5:45'],
    // Either side of the US spring-forward (02:00 EST → 03:00 EDT on 10 March 2024).
    ['2024-03-10T06:59:00Z', 'America/New_York', '01:59 EST'],
    ['2024-03-10T07:00:00Z', 'America/New_York', '03:00 EDT'],
    // Either side of the UK fall-back (02:00 BST → 01:00 GMT on 27 October 2024).
    ['2024-10-27T00:59:00Z', 'Europe/London', '01:59 BST'],
    ['2024-10-27T01:00:00Z', 'Europe/London', '01:00 GMT'],
  ])('formatTime(%s, %s) is %s', (iso, zone, expected) => {
    expect(formatTime(at(iso), zone)).toBe(expected);
  });

  it.each([
    ['2024-04-09T06:45:00Z', 'UTC', '2024-04-09 06:45 UTC'],
    ['2024-04-09T03:30:00Z', 'America/Los_Angeles', '2024-04-08 20:30 PDT'],
    ['2024-04-09T15:00:00Z', 'Asia/Tokyo', '2024-04-10 00:00 JST'],
  ])('formatDateTime(%s, %s) is %s', (iso, zone, expected) => {
    expect(formatDateTime(at(iso), zone)).toBe(expected);
  });

  it('has zone-less variants for when the zone is said once', () => {
    expect(formatLocalTime(at('2024-04-09T09:00:00Z'), 'America/New_York')).toBe('05:00');
    expect(formatLocalDateTime(at('2024-04-09T09:00:00Z'), 'America/New_York')).toBe('2024-04-09 05:00');
  });

  it.each([
    ['2024-04-09T06:45:00Z', 'UTC', 'Tuesday 9 April 2024'],
    ['2024-04-09T03:30:00Z', 'America/New_York', 'Monday 8 April 2024'],
    ['2024-04-09T15:00:00Z', 'Asia/Tokyo', 'Wednesday 10 April 2024'],
  ])('formatDayHeading(%s, %s) is %s', (iso, zone, expected) => {
    expect(formatDayHeading(at(iso), zone)).toBe(expected);
  });

  it.each([
    ['2024-04-09T23:59:59Z', 'UTC', '2024-04-09'],
    ['2024-04-10T00:00:00Z', 'UTC', '2024-04-10'],
    ['2024-04-10T03:59:59Z', 'America/New_York', '2024-04-09'],
    ['2024-04-10T04:00:00Z', 'America/New_York', '2024-04-10'],
    ['2024-04-09T14:59:59Z', 'Asia/Tokyo', '2024-04-09'],
    ['2024-04-09T15:00:00Z', 'Asia/Tokyo', '2024-04-10'],
    ['2024-04-09T18:29:59Z', 'Asia/Kolkata', '2024-04-09'],
    ['2024-04-09T18:30:00Z', 'Asia/Kolkata', '2024-04-10'],
    // Midnight moves with DST: EST before the change, EDT after.
    ['2024-03-10T04:59:59Z', 'America/New_York', '2024-03-09'],
    ['2024-03-10T05:00:00Z', 'America/New_York', '2024-03-10'],
    ['2024-03-11T03:59:59Z', 'America/New_York', '2024-03-10'],
    ['2024-03-11T04:00:00Z', 'America/New_York', '2024-03-11'],
    ['2024-10-26T22:59:59Z', 'Europe/London', '2024-10-26'],
    ['2024-10-26T23:00:00Z', 'Europe/London', '2024-10-27'],
    ['2024-10-27T23:59:59Z', 'Europe/London', '2024-10-27'],
    ['2024-10-28T00:00:00Z', 'Europe/London', '2024-10-28'],
  ])('dayKey(%s, %s) is %s', (iso, zone, expected) => {
    expect(dayKey(at(iso), zone)).toBe(expected);
  });
});

describe('formatDuration', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45 * s, '45s'],
    [59 * s + 999, '59s'],
    [m, '1m'],
    [m + 29 * s, '1m'],
    [m + 30 * s, '2m'],
    [34 * m + 46 * s, '35m'],
    [59 * m + 29 * s, '59m'],
    [59 * m + 30 * s, '1h'],
    [h, '1h'],
    [2 * h + 10 * m, '2h 10m'],
    [23 * h + 59 * m, '23h 59m'],
    [d, '1d 0h 0m'],
    [d + 29 * m, '1d 0h 29m'],
    [d + 3 * h + 20 * m, '1d 3h 20m'],
    [10 * d + 5 * h, '10d 5h 0m'],
    [-5 * m, '-5m'],
    [-30 * s, '-30s'],
  ])('%d ms is %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('refuses non-finite input', () => {
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
  });

  it('always reads as a compact duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        expect(formatDuration(ms)).toMatch(/^-?(\d+s|\d+m|\d+h( \d+m)?|\d+d \d+h \d+m)$/);
      }),
    );
  });
});
