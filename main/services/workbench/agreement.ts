import { randomBytes } from 'node:crypto';
import {
  answerClientSpec,
  createClientSpec,
  finishAgreement,
  openField,
  parseClientSpec,
  resolveAgreementProfile,
  sealField,
  type AgreementProfileId,
  type ClientKeyDerivationSpec,
  type SchemeId,
  type ServerKeyDerivationInfo,
} from '../../core/agreement/index.ts';
import { SignetError } from '../../core/errors.ts';
import { lifetimeEnd } from '../../core/time.ts';
import type { AgreementRecord } from '../../store/workbench.ts';
import { seal, unseal } from '../../store/vault.ts';
import type { Session } from '../session.ts';
import type { AgreementView } from '../views.ts';

/**
 * Key agreement (partner 002) from either side. The client's private half and, once agreed, the derived
 * key are sealed in the keystore; an agreement is named by its reference (the server's
 * client_reference_id once known). The profile (docs/key-agreement.md §7) defaults to signet-v1; the
 * client's private state records it, so finishing needs none.
 */

const toView = (record: AgreementRecord): AgreementView => ({
  ref: record.id,
  role: record.role,
  scheme: record.scheme,
  agreed: record.keySealed !== null,
  createdAt: record.createdAt.toISOString(),
  expiresAt: record.expiresAt.toISOString(),
});

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SignetError('ERR_AGREEMENT_MALFORMED', `the ${what} is not JSON`);
  }
}

const expiryOf = (now: Date, ttl = '1h'): Date => lifetimeEnd(now, ttl, 'a key agreement');

/** The client's first step: a ClientKeyDerivationSpec to send; the private half stays sealed here. */
export function agreeAsClient(session: Session, input: { schemes: SchemeId[]; identifier: string; ttl?: string; profile?: AgreementProfileId }): { ref: string; spec: ClientKeyDerivationSpec; expiresAt: string } {
  const now = session.clock();
  const expiresAt = expiryOf(now, input.ttl);
  const profile = resolveAgreementProfile(input.profile);
  const { spec, privateState } = createClientSpec({ schemes: input.schemes, identifier: input.identifier, profile });
  const ref = `g_${randomBytes(8).toString('hex')}`;
  const record: AgreementRecord = { id: ref, role: 'client', scheme: null, spec: JSON.stringify(spec), info: null, stateSealed: seal(session.master, ref, privateState), keySealed: null, createdAt: now, expiresAt };
  privateState.fill(0);
  session.transaction(() => {
    session.agreements.insert(record);
    session.audit.append('agreement.started', null, { ref, role: 'client', schemes: input.schemes, profile: profile.id }, now);
  });
  return { ref, spec, expiresAt: expiresAt.toISOString() };
}

/** The server's step: answer a client's spec, keep the derived key under the client_reference_id. */
export function agreeAsServer(session: Session, input: { spec: string; identifier: string; ttl?: string; profile?: AgreementProfileId }): { ref: string; info: ServerKeyDerivationInfo } {
  const now = session.clock();
  const expiresAt = expiryOf(now, input.ttl);
  const profile = resolveAgreementProfile(input.profile);
  const spec = parseJson(input.spec, 'ClientKeyDerivationSpec');
  const { info, sharedKey, scheme } = answerClientSpec(spec, { identifier: input.identifier, profile });
  const ref = info.client_reference_id;
  const record: AgreementRecord = { id: ref, role: 'server', scheme, spec: JSON.stringify(parseClientSpec(spec, { profile }).wire), info: JSON.stringify(info), stateSealed: null, keySealed: seal(session.master, ref, sharedKey), createdAt: now, expiresAt };
  sharedKey.fill(0);
  session.transaction(() => {
    session.agreements.insert(record);
    session.audit.append('agreement.answered', null, { ref, role: 'server', scheme, profile: profile.id }, now);
  });
  return { ref, info };
}

function liveAgreement(session: Session, ref: string): AgreementRecord {
  const record = session.agreements.get(ref);
  if (!record) throw missingAgreement(ref);
  if (record.expiresAt.getTime() <= session.clock().getTime()) throw new SignetError('ERR_SESSION_DESTROYED', `key agreement ${ref} expired at ${record.expiresAt.toISOString()}: start a new one`);
  return record;
}

/**
 * Finishing renames a client agreement to the server's client_reference_id, so its local ref is gone
 * afterwards: the same answer pasted again is recognised by the finished agreement that holds it.
 */
function notWaiting(session: Session, ref: string, infoText: string): SignetError {
  const finished = finishedBy(session, infoText);
  if (finished) return new SignetError('ERR_BAD_INPUT', `key agreement ${ref} is already finished: this answer agreed on ${finished.scheme ?? '?'}, under its new reference ${finished.id}`);
  return missingAgreement(ref);
}

/** A client's own ref (g_…) is gone once the agreement is finished: say where it went. */
function missingAgreement(ref: string): SignetError {
  return new SignetError('ERR_NOT_FOUND', `no key agreement "${ref}" (a finished agreement goes by the server's client_reference_id: see the list of agreements, or signet agree list)`);
}

/** The client agreement this very answer finished, if any. */
function finishedBy(session: Session, infoText: string): AgreementRecord | undefined {
  let info: unknown;
  try {
    info = JSON.parse(infoText);
  } catch {
    return undefined;
  }
  const reference = typeof info === 'object' && info !== null && 'client_reference_id' in info ? info.client_reference_id : undefined;
  const record = typeof reference === 'string' ? session.agreements.get(reference) : undefined;
  return record?.role === 'client' && record.info === JSON.stringify(info) ? record : undefined;
}

/** The client's last step: check the proof (a wrong proof is an error) and keep the derived key. */
export function finishAsClient(session: Session, input: { ref: string; info: string; profile?: AgreementProfileId }): AgreementView {
  if (!session.agreements.get(input.ref)) throw notWaiting(session, input.ref, input.info);
  const record = liveAgreement(session, input.ref);
  if (record.role === 'client' && record.keySealed) throw new SignetError('ERR_BAD_INPUT', `key agreement ${input.ref} is already finished (${record.scheme ?? '?'})`);
  if (record.role !== 'client' || !record.stateSealed) throw new SignetError('ERR_BAD_INPUT', `agreement ${input.ref} is not a client agreement waiting for an answer`);
  const state = unseal(session.master, record.id, record.stateSealed);
  const info = parseJson(input.info, 'ServerKeyDerivationInfo');
  let result;
  try {
    // A named profile is checked against the one the private state was made under.
    result = finishAgreement(state, JSON.parse(record.spec), info, input.profile ? { profile: resolveAgreementProfile(input.profile) } : {});
  } finally {
    state.fill(0);
  }
  const newRef = result.clientReferenceId;
  if (newRef !== record.id && session.agreements.get(newRef)?.role === 'client') throw new SignetError('ERR_KEY_EXISTS', `a client agreement with reference ${newRef} is already stored`);
  const keySealed = seal(session.master, newRef, result.sharedKey);
  result.sharedKey.fill(0);
  session.transaction(() => {
    session.agreements.finish(record.id, { newId: newRef, scheme: result.scheme, info: JSON.stringify(info), keySealed });
    session.audit.append('agreement.finished', null, { ref: newRef, localRef: record.id, scheme: result.scheme }, session.clock());
  });
  return toView({ ...record, id: newRef, scheme: result.scheme, info: JSON.stringify(info), stateSealed: null, keySealed });
}

function sharedKeyOf(session: Session, ref: string): Buffer {
  const record = liveAgreement(session, ref);
  if (!record.keySealed) throw new SignetError('ERR_BAD_INPUT', `agreement ${ref} is not finished yet (run "signet agree finish")`);
  return unseal(session.master, record.id, record.keySealed);
}

/** Seals a sensitive field under the agreed key (AES-GCM, bound to the client_reference_id). */
export function agreementEncrypt(session: Session, input: { ref: string; plaintext: Buffer }): { sealed: string } {
  const key = sharedKeyOf(session, input.ref);
  try {
    return { sealed: sealField(key, input.plaintext, input.ref) };
  } finally {
    key.fill(0);
  }
}

export function agreementDecrypt(session: Session, input: { ref: string; sealed: string }): { plaintext: string } {
  const key = sharedKeyOf(session, input.ref);
  try {
    return { plaintext: openField(key, input.sealed.trim(), input.ref).toString('utf8') };
  } finally {
    key.fill(0);
  }
}

export function listAgreements(session: Session): AgreementView[] {
  return session.agreements.list().map(toView);
}
