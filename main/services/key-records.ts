import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { SignetError } from '../core/errors.ts';
import { describeCertificate } from '../core/keys/certificates.ts';
import { keyStatusAt } from '../core/keys/lifecycle.ts';
import { jwkThumbprint } from '../core/keys/thumbprint.ts';
import type { AsymmetricKey, KeyUse } from '../core/keys/types.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { KeyRecord } from '../store/keys.ts';
import { seal, unseal } from '../store/vault.ts';
import type { Session } from './session.ts';
import { keyView } from './key-views.ts';
import { readSettings } from './settings.ts';
import type { AuditEntryView, KeyView } from './views.ts';

// Helpers shared by the key services: finding a key, opening its sealed half, shaping it for output.

export function newKeyId(): string {
  return `k_${randomBytes(8).toString('hex')}`;
}

/** A key is named by its id, its kid, or (for HMAC secrets) its AppId. */
export function resolveKey(session: Session, ref: string): KeyRecord {
  const record = session.keys.get(ref) ?? session.keys.byKid(ref) ?? session.keys.byAppId(ref);
  if (!record) throw new SignetError('ERR_KEY_NOT_FOUND', `no key with id, kid or AppId "${ref}" in this keystore`);
  return record;
}

export function publicKeyOf(record: KeyRecord): KeyObject {
  if (!record.publicDer) throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.id} is an HMAC secret and has no public part`);
  return createPublicKey({ key: record.publicDer, format: 'der', type: 'spki' });
}

/** Opens the sealed private half (needs the keystore unlocked). The id is the seal's additional data. */
export function privateKeyOf(session: Session, record: KeyRecord): KeyObject {
  if (record.type === 'hmac') throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.id} is an HMAC secret, not a key pair`);
  if (!record.privateSealed) throw new SignetError('ERR_KEY_NO_PRIVATE', `key ${record.id} (${record.kid}) is a verification key: its private part is not held`);
  const der = unseal(session.master, record.id, record.privateSealed);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

export function secretOf(session: Session, record: KeyRecord): Buffer {
  if (record.type !== 'hmac' || !record.privateSealed) throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.id} is not an HMAC secret`);
  return unseal(session.master, record.id, record.privateSealed);
}

export function asymmetricOf(session: Session, record: KeyRecord, withPrivate: boolean): AsymmetricKey {
  if (record.type === 'hmac') throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.id} is an HMAC secret, not a key pair`);
  return {
    type: record.type,
    ...(record.size !== null && { size: record.size }),
    ...(record.curve !== null && { curve: record.curve }),
    publicKey: publicKeyOf(record),
    ...(withPrivate && { privateKey: privateKeyOf(session, record) }),
  };
}

export function sealPrivateKey(session: Session, id: string, privateKey: KeyObject): Buffer {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    return seal(session.master, id, der);
  } finally {
    der.fill(0);
  }
}

export function sealSecret(session: Session, id: string, secret: Buffer): Buffer {
  return seal(session.master, id, secret);
}

export function thumbprintOf(publicKey: KeyObject): string {
  return jwkThumbprint(publicKey);
}

/** `soonDays` may be passed by callers shaping many keys, so settings are read once per list. */
export function toKeyView(session: Session, record: KeyRecord, at: Date = session.clock(), soonDays = readSettings(session).policy.expiringSoonDays): KeyView {
  return keyView(record, at, soonDays, describeCertificate);
}

export function toAuditView(entry: AuditEntry): AuditEntryView {
  return { seq: entry.seq, at: entry.at.toISOString(), action: entry.action, keyId: entry.keyId, detail: entry.detail, hash: entry.hash };
}

/**
 * A stored key for new work only while it is active: a revoked, expired or not yet active key signs
 * nothing new and is encrypted to no more (a partner would reject the one, or the other side may no
 * longer hold the private key). Keys given as files are the caller's to judge.
 */
export function activeForNewWork(record: KeyRecord, now: Date, purpose: string, named = `key ${record.kid}`): KeyRecord {
  const status = keyStatusAt(record, now);
  if (status !== 'active') throw new SignetError('ERR_KEY_UNSUITABLE', `${named} is ${status}: it must not ${purpose}`);
  return record;
}

/**
 * The algorithm to sign with or encrypt to a stored key: the one asked for, else the key's own. A key
 * whose algorithm was chosen (JWK "alg", --alg) takes no other, and a key marked for encryption signs
 * nothing (RFC 7517 §4.2, §4.4).
 */
export function algorithmFor(record: KeyRecord, use: KeyUse, requested: string | undefined): string | undefined {
  if (use === 'sig' && record.use === 'enc') throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.kid} is an encryption key ("use": "enc"): it does not sign`);
  // A signing key whose algorithm was chosen is for that only; one left at its default may be encrypted to, as before.
  if (use === 'enc' && record.use === 'sig' && record.algPinned) throw new SignetError('ERR_KEY_UNSUITABLE', `key ${record.kid} is for ${record.alg ?? 'signing'} only: nothing is encrypted to it`);
  const own = record.use === use ? record.alg ?? undefined : undefined;
  if (requested !== undefined && record.algPinned && own !== undefined && requested !== own) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `key ${record.kid} is for ${own} only (chosen when it was generated or imported): ${requested} refused`);
  }
  return requested ?? own;
}
