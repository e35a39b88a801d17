import type { KeyView } from '../../../../main/services/views.ts';
import { DAY_MS, keyStart, REMINDER_DAYS, type Scale } from './scale.ts';

/** How a key's bar looks: never by colour alone — each tone also has a pattern and a label. */
export type BarTone = 'active' | 'expiring' | 'expired' | 'revoked' | 'pending';

export interface Reminder {
  x: number;
  daysBefore: number;
  at: Date;
  passed: boolean;
}

export interface Bar {
  key: KeyView;
  tone: BarTone;
  x0: number;
  /** The right end; an open-ended key (no expiry) runs to the edge. */
  x1: number;
  openEnded: boolean;
  /** Where the revocation took effect: the bar is hatched from here on. */
  revokedX: number | null;
  reminders: Reminder[];
  label: string;
}

function toneOf(key: KeyView): BarTone {
  if (key.status === 'active') return key.expiringSoon ? 'expiring' : 'active';
  return key.status;
}

function labelOf(key: KeyView, tone: BarTone, now: Date): string {
  switch (tone) {
    case 'expiring': {
      const days = Math.max(0, Math.floor((new Date(key.expiresAt ?? now).getTime() - now.getTime()) / DAY_MS));
      return `expires in ${days} d`;
    }
    case 'expired':
      return 'expired';
    case 'revoked':
      return 'revoked';
    case 'pending':
      return 'pending';
    case 'active':
      return key.expiresAt ? '' : 'no expiry';
  }
}

export function barFor(key: KeyView, scale: Scale, now: Date): Bar {
  const tone = toneOf(key);
  const expires = key.expiresAt ? new Date(key.expiresAt) : null;
  const reminders = expires
    ? REMINDER_DAYS.map((daysBefore) => {
        const at = new Date(expires.getTime() - daysBefore * DAY_MS);
        return { x: scale.x(at), daysBefore, at, passed: at.getTime() < now.getTime() };
      }).filter((reminder) => reminder.at.getTime() > keyStart(key).getTime())
    : [];
  return {
    key,
    tone,
    x0: scale.x(keyStart(key)),
    x1: expires ? scale.x(expires) : scale.width,
    openEnded: expires === null,
    revokedX: key.revokedAt ? scale.x(new Date(key.revokedAt)) : null,
    reminders,
    label: labelOf(key, tone, now),
  };
}

/** Soonest expiry first; keys that never expire last. */
export function byExpiry(a: KeyView, b: KeyView): number {
  const left = a.expiresAt ? Date.parse(a.expiresAt) : Infinity;
  const right = b.expiresAt ? Date.parse(b.expiresAt) : Infinity;
  return left - right || a.name.localeCompare(b.name);
}
