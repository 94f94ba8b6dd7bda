// Time as the domain sees it: UTC epoch milliseconds in, zone-labelled text out.
// Nothing here reads the clock; every instant is passed in.

import { TZDate, tzOffset } from '@date-fns/tz';

const SLACK_TS = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * Slack's `ts` ("1712645100.000100": seconds, then microseconds) as epoch ms.
 * Microseconds are truncated, not rounded, so a message never moves past the next millisecond.
 * Works on the digits rather than on a float so large values do not pick up rounding errors.
 */
export function slackTsToMs(ts: string): number {
  return Math.floor(slackTsToMicros(ts) / 1000);
}

/**
 * A Slack ts as epoch microseconds, its whole precision: two events Slack stamped
 * in the same millisecond still compare in Slack's order. (Epoch µs stay well
 * inside a double's exact integers.)
 */
export function slackTsToMicros(ts: string): number {
  const match = SLACK_TS.exec(ts.trim());
  if (!match) throw new RangeError(`Not a Slack ts: ${JSON.stringify(ts)}`);
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/**
 * Epoch ms as a Slack-shaped `ts` ("1712645100.123000"). Useful for simulators and tests;
 * it cannot recover the microseconds of a real message, so it is never an identity.
 */
export function msToSlackTs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Not an epoch ms: ${ms}`);
  const whole = Math.floor(ms);
  const millis = whole % 1000;
  return `${(whole - millis) / 1000}.${String(millis * 1000).padStart(6, '0')}`;
}

/** Orders Slack ts strings by their numeric value, which string order gets wrong across digit counts. */
export function compareSlackTs(a: string, b: string): number {
  const [aSec = '', aFrac = ''] = a.split('.');
  const [bSec = '', bFrac = ''] = b.split('.');
  const bySeconds = compareDigits(aSec, bSec);
  return bySeconds !== 0 ? bySeconds : compareDigits(aFrac.padEnd(6, '0'), bFrac.padEnd(6, '0'));
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether Intl knows the zone (IANA names, case-insensitively, and whatever else the runtime accepts). */
export function isValidTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

// Building an Intl.DateTimeFormat costs far more than using one, and a draft formats
// hundreds of times in one zone, so formatters (and zone checks) are kept per key.
const canonicalZones = new Map<string, string | null>();
const shortNameFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone as Intl spells it ("america/new_york" → "America/New_York"), or null when unknown. */
export function canonicalTimeZone(zone: string): string | null {
  const known = canonicalZones.get(zone);
  if (known !== undefined) return known;
  let canonical: string | null = null;
  if (zone.trim() !== '') {
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      canonical = null;
    }
  }
  if (canonicalZones.size > 1000) canonicalZones.clear();
  canonicalZones.set(zone, canonical);
  return canonical;
}

function assertZone(zone: string): void {
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: ${JSON.stringify(zone)}`);
}

const UTC_ZONES = new Set(['utc', 'etc/utc', 'etc/universal', 'universal', 'etc/zulu', 'zulu', 'etc/uct', 'uct']);

/*
 * Intl names a zone's abbreviation only for locales where that abbreviation is in
 * common use: en-US says "GMT+1" for London where en-GB says "BST", and only ja-JP
 * says "JST". So each zone is asked in the locales of the people who live in it, in
 * order, and the first purely alphabetic answer wins. Zones nobody abbreviates in
 * English (Sao Paulo, Dubai, Kathmandu...) fall through to the offset form.
 */
const ZONE_LOCALES: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/^Asia\/(Kolkata|Calcutta)$/i, ['en-IN']],
  [/^Asia\/Tokyo$|^Japan$/i, ['ja-JP']],
  [/^Asia\/Hong_Kong$|^Hongkong$/i, ['en-HK']],
  [/^Asia\/Singapore$|^Singapore$/i, ['en-SG']],
  [/^(Pacific\/Auckland|Pacific\/Chatham|NZ)$/i, ['en-NZ']],
  [/^Australia\//i, ['en-AU']],
  [/^Canada\/|^America\/St_Johns$/i, ['en-CA']],
  [/^(America|US|Pacific\/Honolulu)\b/i, ['en-US', 'en-CA']],
  [/^Europe\/Dublin$|^Eire$/i, ['en-GB', 'en-IE']],
  [/^(Europe|Atlantic)\/|^(GB|WET|CET|MET|EET)$/i, ['en-GB']],
  [/^Africa\//i, ['en-GB', 'en-ZA']],
];

const zoneLocales = new Map<string, readonly string[]>();

function localesFor(zone: string): readonly string[] {
  let locales = zoneLocales.get(zone);
  if (!locales) {
    locales = ZONE_LOCALES.find(([pattern]) => pattern.test(zone))?.[1] ?? ['en-US'];
    if (zoneLocales.size > 1000) zoneLocales.clear();
    zoneLocales.set(zone, locales);
  }
  return locales;
}

function intlShortName(locale: string, zone: string, at: number): string | undefined {
  const key = `${locale} ${zone}`;
  let formatter = shortNameFormats.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    if (shortNameFormats.size > 1000) shortNameFormats.clear();
    shortNameFormats.set(key, formatter);
  }
  return formatter.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
}

/** UTC offset in minutes of `zone` at `at` (positive east of Greenwich). */
export function zoneOffsetMinutes(zone: string, at: number): number {
  assertZone(zone);
  return tzOffset(zone, new Date(at));
}

/** `GMT+3`, `GMT-3:30`, `GMT+5:45`, or `GMT` for a zero offset. */
export function offsetLabel(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'GMT';
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const hours = Math.floor(abs / 60);
  const minutes = abs % 60;
  return `GMT${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
}

/**
 * The abbreviation people in `zone` use at instant `at`: UTC, BST/GMT, CEST/CET,
 * EDT/EST, IST, AEST/AEDT, JST... or the offset form (GMT+4, GMT+5:45) when the
 * zone has no abbreviation in common English use.
 */
export function zoneAbbreviation(zone: string, at: number): string {
  assertZone(zone);
  if (UTC_ZONES.has(zone.toLowerCase())) return 'UTC';
  // A draft shows most instants twice (the timeline, then a quote), and asking Intl is the slow part.
  return remembered(abbreviations, zone, at, lookUpAbbreviation);
}

/*
 * What Intl said about an instant in a zone, kept: a draft asks about each entry's
 * instant more than once (its day, its time, a quote of it), and each question is an
 * Intl call. Bounded: a long-running bot forgets a zone's answers after 20,000.
 */
const abbreviations = new Map<string, Map<number, string>>();
const offsets = new Map<string, Map<number, number>>();

function remembered<T>(memo: Map<string, Map<number, T>>, zone: string, at: number, work: (zone: string, at: number) => T): T {
  let known = memo.get(zone);
  const value = known?.get(at);
  if (value !== undefined) return value;
  const fresh = work(zone, at);
  if (!known || known.size >= 20_000) {
    if (memo.size > 100) memo.clear();
    known = new Map();
    memo.set(zone, known);
  }
  known.set(at, fresh);
  return fresh;
}

function lookUpAbbreviation(zone: string, at: number): string {
  for (const locale of localesFor(zone)) {
    const name = intlShortName(locale, zone, at);
    if (name && /^[A-Za-z]{2,6}$/.test(name)) return name;
  }
  return offsetLabel(zoneOffsetMinutes(zone, at));
}

/*
 * Local times are what date-fns `format(at, pattern, { in: tz(zone) })` prints, worked
 * out the way it works them out, without its general machinery (a draft formats a
 * time or two per timeline entry, and with 100,000 entries that machinery was a
 * fifth of the draft's time). @date-fns/tz's TZDate keeps the wall clock as a Date
 * moved by the zone's offset (`tzOffset`, whole seconds) and read with UTC getters;
 * `wallClock` builds the same Date, and the fields below print as date-fns prints
 * `yyyy`, `MM`, `dd`, `d`, `HH`, `mm`, `EEEE` and `MMMM` in English.
 */

function wallClock(at: number, zone: string): Date {
  assertZone(zone);
  const offsetMinutes = remembered(offsets, zone, at, (z, instant) => tzOffset(z, new Date(instant)));
  const wall = new Date(at - Math.round(-offsetMinutes * 60) * 1000);
  // date-fns refuses an invalid date with this same error.
  if (Number.isNaN(wall.getTime())) throw new RangeError('Invalid time value');
  return wall;
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** `yyyy`: the year of the era (year 0 is 1 BC), at least four digits. */
function year(wall: Date): string {
  const signed = wall.getUTCFullYear();
  return String(signed > 0 ? signed : 1 - signed).padStart(4, '0');
}

const ymd = (wall: Date): string => `${year(wall)}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`;
const hm = (wall: Date): string => `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "05:00 EDT". */
export function formatTime(at: number, zone: string): string {
  return `${hm(wallClock(at, zone))} ${zoneAbbreviation(zone, at)}`;
}

/** "2024-04-09 06:45 UTC". */
export function formatDateTime(at: number, zone: string): string {
  return `${formatLocalDateTime(at, zone)} ${zoneAbbreviation(zone, at)}`;
}

/** "2024-04-09 06:45", for when the zone is said once elsewhere. */
export function formatLocalDateTime(at: number, zone: string): string {
  const wall = wallClock(at, zone);
  return `${ymd(wall)} ${hm(wall)}`;
}

/** "06:45", for when the zone is said once elsewhere. */
export function formatLocalTime(at: number, zone: string): string {
  return hm(wallClock(at, zone));
}

/** "Tuesday 9 April 2024": the local calendar day in `zone`. */
export function formatDayHeading(at: number, zone: string): string {
  const wall = wallClock(at, zone);
  return `${WEEKDAYS[wall.getUTCDay()]} ${wall.getUTCDate()} ${MONTHS[wall.getUTCMonth()]} ${year(wall)}`;
}

/** "2024-04-09": the local calendar day in `zone`, for grouping and comparing days. */
export function dayKey(at: number, zone: string): string {
  return ymd(wallClock(at, zone));
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A compact duration: "45s" below a minute, "35m", "2h 10m", "1d 0h 29m".
 * Minutes are rounded to the nearest (times are shown to the minute, so "16:04 – 16:39"
 * should read 35m even when the seconds say 34m46s). From a day up every unit is
 * written, so a day and 29 minutes never reads as a rounded "1d".
 * A negative duration (a milestone recorded before the impact it is measured from)
 * keeps its sign, "-5m", so the inconsistency shows instead of being hidden.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`Not a duration: ${ms}`);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  const totalMinutes = Math.round(ms / MINUTE);
  if (totalMinutes < 60) return `${totalMinutes}m`;
  if (totalMinutes < DAY / MINUTE) {
    const hours = Math.floor(totalMinutes / 60);
    const minutes = totalMinutes % 60;
    return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
  }
  const days = Math.floor(totalMinutes / (DAY / MINUTE));
  const hours = Math.floor((totalMinutes % (DAY / MINUTE)) / 60);
  return `${days}d ${hours}h ${totalMinutes % 60}m`;
}

/** A wall-clock time as someone typed it: `14:05` (no date) or `2024-04-09 06:45`. */
export interface LocalTime {
  date: { year: number; month: number; day: number } | null;
  hour: number;
  minute: number;
}

/** The instant of a wall-clock reading in `zone`, via @date-fns/tz (which resolves DST gaps forward). */
function instantIn(zone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  return new TZDate(year, month - 1, day, hour, minute, 0, 0, zone).getTime();
}

/**
 * Places a typed time in `zone`. A time without a date means the most recent such
 * moment: today, or yesterday when today's is still in the future (a note typed at
 * 00:10 about "23:55" means last night). Up to `skewMs` ahead still counts as today,
 * so "14:05" typed at 14:04:50 is not taken for yesterday.
 */
export function placeLocalTime(local: LocalTime, zone: string, now: number, skewMs = 0): number {
  assertZone(zone);
  if (local.date) return instantIn(zone, local.date.year, local.date.month, local.date.day, local.hour, local.minute);
  const [year, month, day] = dayKey(now, zone).split('-').map(Number) as [number, number, number];
  const today = instantIn(zone, year, month, day, local.hour, local.minute);
  if (today <= now + skewMs) return today;
  // Date.UTC normalises day 0 to the last day of the previous month.
  const yesterday = new Date(Date.UTC(year, month - 1, day - 1));
  return instantIn(zone, yesterday.getUTCFullYear(), yesterday.getUTCMonth() + 1, yesterday.getUTCDate(), local.hour, local.minute);
}
