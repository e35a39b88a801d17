import type { KeyView } from '../../../main/services/views.ts';

// How times and key shapes read on screen. ISO 8601 strings arrive from the contract; these turn
// them into the user's locale without changing what they mean.

const DAY_MS = 86_400_000;
const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const secondsFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDate(iso: string | null): string {
  return iso ? dateFormat.format(new Date(iso)) : '—';
}

export function formatDateTime(iso: string | null): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : '—';
}

/** To the second: tells apart things made a minute apart, such as two imports of one file. */
export function formatDateTimeSeconds(iso: string): string {
  return secondsFormat.format(new Date(iso));
}

/**
 * Whole days from `now` to `iso`, negative once passed, rounded towards zero: anything within a day
 * either side is day 0 ("today", "earlier today"), not "1 day ago" for a token signed a minute ago.
 */
export function daysUntil(iso: string, now: Date = new Date()): number {
  return Math.trunc((new Date(iso).getTime() - now.getTime()) / DAY_MS) || 0;
}

export function relativeDays(iso: string | null, now: Date = new Date()): string {
  if (!iso) return '';
  const days = daysUntil(iso, now);
  if (days === 0) return new Date(iso).getTime() >= now.getTime() ? 'today' : 'earlier today';
  if (days > 0) return days === 1 ? 'in 1 day' : `in ${days} days`;
  return days === -1 ? '1 day ago' : `${-days} days ago`;
}

/** The table's short form: "in 730 d", "21 d ago", "today". */
export function shortRelativeDays(iso: string | null, now: Date = new Date()): string {
  if (!iso) return '';
  const days = daysUntil(iso, now);
  if (days === 0) return 'today';
  return days > 0 ? `in ${days} d` : `${-days} d ago`;
}

/** "RSA 2048", "EC P-256", "Ed25519", "HMAC 256". */
export function keyShape(key: Pick<KeyView, 'type' | 'size' | 'curve'>): string {
  switch (key.type) {
    case 'rsa':
      return `RSA ${key.size ?? ''}`.trim();
    case 'ec':
      return `EC ${key.curve ?? ''}`.trim();
    case 'ed25519':
      return 'Ed25519';
    case 'x25519':
      return 'X25519';
    case 'hmac':
      return `HMAC ${key.size ?? ''}`.trim();
  }
}

/** A value for `<input type="datetime-local">` in the user's zone. */
export function toLocalInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** Reads `<input type="datetime-local">` back as an ISO instant. */
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** "812 bytes", "3.4 MB" (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes.toLocaleString()} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}
