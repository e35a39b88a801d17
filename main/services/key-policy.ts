import { SignetError } from '../core/errors.ts';
import { describeCertificate } from '../core/keys/certificates.ts';
import type { Curve, KeyType, KeyUse } from '../core/keys/types.ts';
import { addDuration, parseDuration, parseExpiry } from '../core/time.ts';
import type { KeyRecord } from '../store/keys.ts';
import { keyAlgorithms } from './algorithms.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';

// The rules every new or changed key record follows, whether generated, imported, renewed or given a
// secret: its labels, algorithm, expiry, names, and what the audit log says of it.

export interface LabelInput {
  name?: string;
  owner?: string;
  environment?: string;
}

export function defaultUse(type: KeyType): KeyUse {
  return type === 'x25519' ? 'enc' : 'sig';
}

/**
 * The key's algorithm: the one asked for (checked against the explicit allow-list for its type), which
 * then is the only one the key is used with, or its type's default, which leaves the others open.
 */
export function chooseAlg(type: KeyType, curve: Curve | null, use: KeyUse, alg: string | undefined): Pick<KeyRecord, 'alg' | 'algPinned'> {
  const allowed = keyAlgorithms(type, curve, use);
  const first = allowed[0];
  if (alg === undefined) {
    if (first === undefined) throw new SignetError('ERR_KEY_UNSUITABLE', `a ${type} key cannot be used for ${use === 'sig' ? 'signing' : 'encryption'}`);
    return { alg: first, algPinned: false };
  }
  if (!allowed.includes(alg)) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `${alg} does not fit a ${curve ?? type} key for use "${use}"; use one of ${allowed.join(', ') || '(none)'}`);
  }
  return { alg, algPinned: true };
}

export function expiryFor(session: Session, type: KeyType, requested: string | undefined, from: Date): Date {
  const { policy } = readSettings(session);
  if (type !== 'hmac') return requested ? parseExpiry(requested, from) : addDuration(from, parseDuration(policy.keyExpiry));
  const expiresAt = requested ? parseExpiry(requested, from) : addDuration(from, parseDuration(policy.hmacDefaultExpiry));
  const limit = addDuration(from, parseDuration(policy.hmacMaxExpiry));
  if (expiresAt.getTime() > limit.getTime()) {
    throw new SignetError('ERR_POLICY', `HMAC secrets may be valid for at most ${policy.hmacMaxExpiry} (until ${limit.toISOString()}); ${expiresAt.toISOString()} is later`);
  }
  return expiresAt;
}

/**
 * An AppId as partner 004 sends it: the first field of `X-OPG-Signature AppId:Signature:Nonce:Timestamp`.
 * A colon or a space would split that header elsewhere, and the secret could never be matched.
 */
export function checkedAppId(raw: string | undefined): string {
  const appId = raw?.trim();
  if (!appId) throw new SignetError('ERR_BAD_INPUT', 'an HMAC secret needs an AppId (--app-id)');
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(appId)) throw new SignetError('ERR_BAD_INPUT', `the AppId "${appId}" cannot go in an X-OPG-Signature header: printable ASCII without spaces or ":"`);
  return appId;
}

export function checkExpiryAfter(notBefore: Date, expiresAt: Date): void {
  if (expiresAt.getTime() <= notBefore.getTime()) throw new SignetError('ERR_BAD_INPUT', `the expiry ${expiresAt.toISOString()} is not after ${notBefore.toISOString()}`);
}

/** The form of every key id (newKeyId). */
const KEY_ID_FORM = /^k_[0-9a-f]{16}$/;

/**
 * A key is named by its id, kid or AppId alike (resolveKey), so a new key's kid or AppId that is any
 * name of another key would hide one of the two: refused, as is a kid that could be taken for an id.
 */
export function checkKidFree(session: Session, kid: string, appId: string | null = null): void {
  const kidName = kid === appId ? 'AppId' : 'kid';
  if (KEY_ID_FORM.test(kid)) throw new SignetError('ERR_BAD_INPUT', `the ${kidName} "${kid}" has the form of a key id (k_ and 16 hex digits) and would be taken for one: give the key another kid`);
  const names: [string, string][] = appId === null || appId === kid ? [[kidName, kid]] : [['AppId', appId], ['kid', kid]];
  for (const [what, name] of names) {
    const existing = session.keys.get(name) ?? session.keys.byKid(name) ?? session.keys.byAppId(name);
    if (!existing) continue;
    const role = existing.id === name ? 'id' : existing.appId === name ? 'AppId' : 'kid';
    throw new SignetError('ERR_KEY_EXISTS', `the ${what} "${name}" is already in the keystore, as the ${role} of ${existing.id} ("${existing.name}")`);
  }
}

export function baseRecord(id: string, now: Date, labels: LabelInput, fallbackName: string): Pick<KeyRecord, 'id' | 'name' | 'owner' | 'environment' | 'createdAt' | 'revokedAt' | 'revocationReason'> {
  return {
    id,
    name: labels.name?.trim() || fallbackName,
    owner: labels.owner?.trim() ?? '',
    environment: labels.environment?.trim() ?? '',
    createdAt: now,
    revokedAt: null,
    revocationReason: null,
  };
}

/** What the audit log says about a key: labels and validity, never material. */
export function auditSummary(record: KeyRecord): Record<string, unknown> {
  return {
    kid: record.kid,
    name: record.name,
    owner: record.owner,
    type: record.type,
    ...(record.size !== null && { size: record.size }),
    ...(record.curve !== null && { curve: record.curve }),
    ...(record.appId !== null && { appId: record.appId }),
    alg: record.alg,
    hasPrivate: record.privateSealed !== null,
    notBefore: record.notBefore?.toISOString() ?? null,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    ...(record.certificateDer && { certificate: describeCertificate(record.certificateDer).subject }),
  };
}
