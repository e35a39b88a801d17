import { SignetError } from '../core/errors.ts';
import { keyStatusAt, usableFrom } from '../core/keys/lifecycle.ts';
import { parseExpiry } from '../core/time.ts';
import { issuedCertificate } from './key-certificates.ts';
import { resolveKey, toKeyView } from './key-records.ts';
import { auditSummary, checkExpiryAfter, expiryFor } from './key-policy.ts';
import type { KeyRecord } from '../store/keys.ts';
import type { Session } from './session.ts';
import type { KeyView } from './views.ts';

/** A key's life after it is made: activation, renewal, revocation, deletion, each audited. */

/**
 * Revokes a key from now or from a past moment (a compromise since then). A revocation only ever moves
 * earlier: learning of an earlier compromise replaces the recorded moment, and the audit entry keeps
 * both. A future moment is refused: until then the key would show as active while the record and the
 * notices called it revoked; a key meant to stop later gets an expiry (`keys renew --expires`).
 */
export function revokeKey(session: Session, input: { ref: string; reason?: string; at?: string }): KeyView {
  const now = session.clock();
  const record = resolveKey(session, input.ref);
  // A past --at records a compromise: signatures made after that moment verify as revoked-key.
  const revokedAt = input.at ? parseExpiry(input.at, now) : now;
  if (revokedAt.getTime() > now.getTime()) {
    throw new SignetError('ERR_BAD_INPUT', `a revocation takes effect now or from a past moment, not at ${revokedAt.toISOString()}: to stop using the key later, renew it with that expiry instead (Renew; signet keys renew ${record.kid} --expires …)`);
  }
  const reason = input.reason?.trim() || 'unspecified';
  const previous = record.status === 'revoked' ? { at: record.revokedAt, reason: record.revocationReason } : null;
  if (previous && (previous.at === null || previous.at <= revokedAt)) {
    const when = `${previous.at?.toISOString() ?? 'an unknown time'} (${previous.reason ?? 'unspecified'})`;
    throw new SignetError('ERR_BAD_INPUT', previous.at && previous.at > now ? `key ${record.id} is already due to be revoked at ${when}` : `key ${record.id} was already revoked at ${when}`);
  }
  session.transaction(() => {
    session.keys.setStatus(record.id, 'revoked', revokedAt, reason);
    session.audit.append(
      'key.revoked',
      record.id,
      {
        kid: record.kid,
        reason,
        effectiveAt: revokedAt.toISOString(),
        ...(previous && { replacesEffectiveAt: previous.at?.toISOString() ?? null, replacesReason: previous.reason }),
      },
      now,
    );
  });
  return toKeyView(session, { ...record, status: 'revoked', revokedAt, revocationReason: reason }, now);
}

/**
 * Gives a key a new expiry (the answer to a reminder, or to end its use at a chosen moment): later or
 * earlier, from now on. A revoked or expired key is not brought back: it is replaced by a new one. An
 * HMAC secret stays within the policy's maximum validity, counted from now.
 */
export function renewKey(session: Session, input: { ref: string; expires: string }): KeyView {
  const now = session.clock();
  const record = resolveKey(session, input.ref);
  const status = keyStatusAt(record, now);
  if (status === 'revoked' || status === 'expired') {
    throw new SignetError('ERR_POLICY', `key ${record.kid} is ${status}: it cannot be renewed; generate or import its successor instead`);
  }
  const expiresAt = expiryFor(session, record.type, input.expires, now);
  checkExpiryAfter(usableFrom(record, now), expiresAt);
  checkWithinIssuedCertificate(record, expiresAt);
  session.transaction(() => {
    session.keys.setExpiry(record.id, expiresAt);
    session.audit.append('key.renewed', record.id, { kid: record.kid, expiresAt: expiresAt.toISOString(), previousExpiresAt: record.expiresAt?.toISOString() ?? null }, now);
  });
  return toKeyView(session, { ...record, expiresAt }, now);
}

/**
 * A key is not used past the certificate a CA issued for it (peers would refuse it): renewing past its
 * end waits for the renewed certificate (keys import attaches it). A self-signed one is simply made
 * again after the renewal (cert self-sign).
 */
function checkWithinIssuedCertificate(record: KeyRecord, expiresAt: Date): void {
  const certificate = issuedCertificate(record);
  if (!certificate || expiresAt.getTime() <= new Date(certificate.notAfter).getTime()) return;
  throw new SignetError('ERR_POLICY', `key ${record.kid} holds a certificate issued by ${certificate.issuer} that ends at ${certificate.notAfter}: import the renewed certificate first (Keys › Import; signet keys import FILE), then renew up to its end`);
}

export function activateKey(session: Session, ref: string): KeyView {
  const now = session.clock();
  const record = resolveKey(session, ref);
  if (record.status !== 'pending') throw new SignetError('ERR_BAD_INPUT', `key ${record.id} is ${toKeyView(session, record, now).status}, not pending`);
  session.transaction(() => {
    session.keys.setStatus(record.id, 'active', null, null);
    session.audit.append('key.activated', record.id, { kid: record.kid }, now);
  });
  return toKeyView(session, { ...record, status: 'active' }, now);
}

export function deleteKey(session: Session, ref: string): { id: string; kid: string } {
  const record = resolveKey(session, ref);
  session.transaction(() => {
    session.audit.append('key.deleted', record.id, auditSummary(record), session.clock());
    session.keys.delete(record.id);
  });
  return { id: record.id, kid: record.kid };
}
