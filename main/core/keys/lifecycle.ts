/**
 * The key lifecycle, `pending → active → revoked | expired`, evaluated at a moment. Verification asks
 * "what was this key's status when the message was made", so status is a function of time, not a
 * column: a key revoked "since" a past compromise date was already revoked for messages after it.
 */
export type EffectiveStatus = 'pending' | 'active' | 'revoked' | 'expired';

export interface LifecycleDates {
  status: 'pending' | 'active' | 'revoked';
  notBefore: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export function keyStatusAt(key: LifecycleDates, at: Date): EffectiveStatus {
  const t = at.getTime();
  if (key.status === 'revoked' && (key.revokedAt === null || key.revokedAt.getTime() <= t)) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt.getTime() <= t) return 'expired';
  if (key.status === 'pending' || (key.notBefore !== null && key.notBefore.getTime() > t)) return 'pending';
  return 'active';
}

/** From when a key can be used, counted from `now`: its start when that is still ahead (a pending key), else now. */
export function usableFrom(key: Pick<LifecycleDates, 'notBefore'>, now: Date): Date {
  return key.notBefore && key.notBefore > now ? key.notBefore : now;
}

/** Whole days until expiry (negative once expired), or null for keys that do not expire. */
export function daysUntilExpiry(expiresAt: Date | null, at: Date): number | null {
  return expiresAt === null ? null : Math.floor((expiresAt.getTime() - at.getTime()) / 86_400_000);
}
