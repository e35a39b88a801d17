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

/** Parses an ISO 8601 date or date-time, or a UNIX timestamp in seconds. */
export function parseInstant(text: string): Date {
  const trimmed = text.trim();
  if (/^\d{9,11}$/.test(trimmed)) return new Date(Number(trimmed) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const date = new Date(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new SignetError('ERR_BAD_INPUT', `not a date: "${text}" (use ISO 8601, e.g. 2027-01-31 or 2027-01-31T12:00:00Z)`);
}

/** `--expires` accepts either a duration from `now` or an absolute date. */
export function parseExpiry(text: string, now: Date): Date {
  return DURATION.test(text.trim()) ? addDuration(now, parseDuration(text)) : parseInstant(text);
}

export function iso(date: Date): string {
  return date.toISOString();
}
