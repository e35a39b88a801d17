import { randomBytes } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import { keyStatusAt } from '../../core/keys/lifecycle.ts';
import { hmacMismatchDetail, isCallbackUri, parseOpgHeader, requestUriOf, signOpg, verifyOpg } from '../../core/opg/hmac.ts';
import { secretStatusVerdict } from '../../core/schemes/hmac-opg.ts';
import { parseInstant } from '../../core/time.ts';
import { activeForNewWork, secretOf } from '../key-records.ts';
import type { Session } from '../session.ts';
import { readSettings } from '../settings.ts';
import type { TokenCheckView } from '../views.ts';

// X-OPG-Signature by hand, with the same profile (hash, canonical string) as capture inspection.

export interface HmacRequestInput {
  method: string;
  /** The request URI as sent (path and query), or a full URL. */
  uri: string;
  body?: Buffer;
}

export function signHmacRequest(session: Session, input: HmacRequestInput & { appId: string; timestamp?: string; nonce?: string }) {
  // By AppId only, as verification finds it: an id or a kid could name another key.
  const record = session.keys.byAppId(input.appId);
  if (!record) throw new SignetError('ERR_KEY_NOT_FOUND', `no HMAC secret for AppId "${input.appId}" in the keystore`);
  const now = session.clock();
  activeForNewWork(record, now, 'sign new requests', `the secret for ${input.appId}`);
  const { inspection } = readSettings(session);
  const timestamp = input.timestamp ? Math.floor(parseInstant(input.timestamp).getTime() / 1000) : Math.floor(now.getTime() / 1000);
  const secret = secretOf(session, record);
  try {
    const signed = signOpg({
      profile: inspection.hmacProfile,
      appId: input.appId,
      secret,
      method: input.method,
      uri: requestUriOf(input.uri),
      ...(input.body && { body: input.body }),
      timestamp,
      nonce: input.nonce ?? randomBytes(16).toString('hex'),
    });
    return { header: `Authorization: ${signed.header}`, value: signed.header, canonical: signed.canonical, profile: inspection.hmacProfile };
  } finally {
    secret.fill(0);
  }
}

export function verifyHmacRequest(session: Session, input: HmacRequestInput & { header: string; now?: string }): TokenCheckView & { canonical?: string; skewSec?: number | null } {
  const parsed = parseOpgHeader(input.header);
  const { inspection } = readSettings(session);
  const at = input.now ? parseInstant(input.now) : session.clock();
  const base = { kid: parsed.appId, alg: inspection.hmacProfile, header: { appId: parsed.appId, nonce: parsed.nonce, timestamp: parsed.timestamp }, at: at.toISOString() };
  const record = session.keys.byAppId(parsed.appId);
  if (!record) return { ...base, verdict: 'unknown-key', detail: `no HMAC secret for AppId "${parsed.appId}" in the keystore` };
  const uri = requestUriOf(input.uri);
  // The same callback paths as capture inspection: callbacks skip the skew check.
  const isCallback = isCallbackUri(uri, inspection.hmacCallbackPaths);
  const secret = secretOf(session, record);
  const check = verifyOpg({ profile: inspection.hmacProfile, parsed, secret, method: input.method, uri, ...(input.body && { body: input.body }), now: at, windowSec: inspection.hmacWindowSec, isCallback });
  secret.fill(0);
  const withKey = { ...base, keyId: record.id, canonical: check.canonical, skewSec: check.skewSec };
  if (!check.signatureValid) return { ...withKey, verdict: 'invalid', detail: hmacMismatchDetail(inspection.hmacProfile, parsed.signature) };
  const unusable = secretStatusVerdict(record, keyStatusAt(record, at), at);
  if (unusable) return { ...withKey, ...unusable };
  if (check.problems.includes('clock-skew')) {
    return { ...withKey, verdict: 'clock-skew', detail: `timestamp is ${Math.abs(check.skewSec ?? 0)} s ${(check.skewSec ?? 0) > 0 ? 'behind' : 'ahead of'} ${at.toISOString()} (window ${inspection.hmacWindowSec} s)` };
  }
  return { ...withKey, verdict: 'valid', detail: `HMAC valid (${inspection.hmacProfile}${isCallback ? ', callback' : ''})` };
}
