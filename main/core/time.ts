import { SignetError } from './errors.ts';

/**
 * Durations as users write them: `15m`, `12h`, `90d`, `6w`, `3mo`, `2y`. Months and years are
 * calendar units (a key issued on 29 Feb expires on 28 Feb two years later, as partners' PKIs do).
 */
export interface Duration {
  amount: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'y';
}

const DURATION = /^(\d{1,6})(s|m|h|d|w|mo|y)$/;

export function parseDuration(text: string): Duration {
  const match = DURATION.exec(text.trim());
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new SignetError('ERR_BAD_INPUT', `not a duration: "${text}" (use e.g. 15m, 12h, 90d, 6w, 3mo, 2y)`);
  }
  return { amount: Number(match[1]), unit: match[2] as Duration['unit'] };
}

/**
 * When something made at `now` with the lifetime `ttl` ends. A lifetime of zero is refused: the thing
 * (`what`, e.g. "an ephemeral session") would have expired as it was made, and nothing could use it.
 */
export function lifetimeEnd(now: Date, ttl: string, what: string): Date {
  const duration = parseDuration(ttl);
  if (duration.amount === 0) throw new SignetError('ERR_BAD_INPUT', `${what} needs a TTL longer than zero, not "${ttl}": it would expire as it is made`);
  return addDuration(now, duration);
}

export function addDuration(from: Date, duration: Duration): Date {
  const { amount, unit } = duration;
  const fixedMs = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 } as const;
  if (unit === 'mo' || unit === 'y') return addCalendarMonths(from, unit === 'y' ? amount * 12 : amount);
  return new Date(from.getTime() + amount * fixedMs[unit]);
}

/** Adds months in UTC, clamping the day to the target month's last day. */
function addCalendarMonths(from: Date, months: number): Date {
  const targetMonth = from.getUTCMonth() + months;
  const result = new Date(from.getTime());
  result.setUTCDate(1);
  result.setUTCMonth(targetMonth);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return result;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([\d:.]+)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 date (midnight UTC) or date-time, or a UNIX timestamp in seconds. A date-time
 * must say its zone: without one, the same words would mean another moment on another machine (and
 * a bare date is UTC). A day the month does not have (30 February) is refused, not rolled over.
 */
export function parseInstant(text: string): Date {
  const trimmed = text.trim();
  if (/^\d{9,11}$/.test(trimmed)) return new Date(Number(trimmed) * 1000);
  const match = INSTANT.exec(trimmed);
  if (match) {
    const [, year, month, day, time, zone] = match;
    if (time !== undefined && zone === undefined) {
      throw new SignetError('ERR_BAD_INPUT', `"${text}" has no time zone: add Z for UTC or an offset such as +02:00`);
    }
    const date = new Date(time === undefined ? `${trimmed}T00:00:00Z` : trimmed);
    const lastDay = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    if (!Number.isNaN(date.getTime()) && Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= lastDay) return date;
  }
  throw new SignetError('ERR_BAD_INPUT', `not a date: "${text}" (use ISO 8601, e.g. 2027-01-31 or 2027-01-31T12:00:00Z)`);
}

/** `--expires` accepts either a duration from `now` or an absolute date. */
export function parseExpiry(text: string, now: Date): Date {
  const trimmed = text.trim();
  if (DURATION.test(trimmed)) return addDuration(now, parseDuration(text));
  if (!INSTANT.test(trimmed) && !/^\d{9,11}$/.test(trimmed)) {
    throw new SignetError('ERR_BAD_INPUT', `not a date or a duration: "${text}" (use e.g. 2027-01-31, 2027-01-31T12:00:00Z, or 15m, 12h, 90d, 6w, 3mo, 2y)`);
  }
  return parseInstant(text);
}

export function iso(date: Date): string {
  return date.toISOString();
}
