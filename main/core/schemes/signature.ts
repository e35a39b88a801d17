import type { KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import type { InspectionContext } from '../inspect/context.ts';
import type { TraceStep, Verdict } from '../inspect/findings.ts';
import type { ResolvedKey } from '../inspect/resolver.ts';
import { allowedSigningAlgs, checkSigningAlg, quote } from '../jose/algorithms.ts';
import { decodeToken } from '../jose/decode.ts';
import type { VerifiedJws } from '../jose/verify.ts';
import { splitCompact, verifyJws } from '../inspect/fast-jws.ts';
import { keyStatusAt } from '../keys/lifecycle.ts';
import type { Result } from './scheme.ts';

export interface SignatureCheck {
  result: Result;
  /** Set when the signature verified (whatever the key's status): the JWT scheme checks claims next. */
  verified?: VerifiedJws;
  key?: ResolvedKey;
}

/** Kid-less tokens are tried against at most this many keys, so a capture cannot make us loop long. */
const MAX_CANDIDATES = 32;

function describeKey(key: ResolvedKey): string {
  return `${key.name} (${key.keyId}${key.owner ? `, ${key.owner}` : ''})`;
}

/**
 * Verifies a compact or detached JWS against keys from the keystore, status-aware: the key is chosen by
 * `kid` (never taken from the token), its signature checked, then its status at the exchange time
 * decides between valid, revoked-key and expired-key.
 */
export async function checkJws(token: string, at: Date, ctx: InspectionContext, detachedPayload?: Uint8Array): Promise<SignatureCheck> {
  // The common, well-formed token is taken apart once, for both the header and the fast verify path.
  const parts = splitCompact(token);
  let header: Record<string, unknown>;
  try {
    header = parts?.header ?? decodeToken(token).header;
  } catch (error) {
    return { result: { verdict: 'malformed', detail: error instanceof SignetError ? error.message : 'not a JWS' } };
  }
  for (const member of ['alg', 'kid'] as const) {
    // A kid of another type must not fall back to trying every key, nor an alg read as "none".
    if (header[member] !== undefined && typeof header[member] !== 'string') return { result: { verdict: 'malformed', detail: `the JWS header's "${member}" is not a string (RFC 7515 §4.1)` } };
  }
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const base = { ...(kid && { kid }), ...(alg && { alg }) };
  const trace: TraceStep[] = [{ step: 'kid', label: 'kid', value: kid ?? '(none in header)' }];
  if (alg === undefined || alg.toLowerCase() === 'none') {
    trace.push({ step: 'result', label: 'result', value: 'refused: unsigned', ok: false });
    return { result: { ...base, verdict: 'invalid', detail: 'alg none: unsigned token refused (a forger needs no key)', trace } };
  }

  let candidates: ResolvedKey[];
  if (kid !== undefined) {
    const key = ctx.resolver.byKid(kid);
    if (!key) {
      trace.push({ step: 'key', label: 'key', value: 'not in keystore or trust store', ok: false });
      return { result: { ...base, verdict: 'unknown-key', detail: `no key with kid ${quote(kid)} in the keystore or trust store`, trace } };
    }
    const refusal = refusalOf(key, alg);
    if (refusal !== undefined) {
      trace.push({ step: 'key', label: 'key', value: describeKey(key) }, { step: 'result', label: 'result', value: refusal, ok: false });
      return { result: { ...base, keyId: key.keyId, verdict: 'invalid', detail: refusal, trace } };
    }
    candidates = [key];
  } else {
    candidates = ctx.resolver.verificationKeys().filter((key) => fitsAlg(key, alg)).slice(0, MAX_CANDIDATES);
    if (candidates.length === 0) {
      trace.push({ step: 'key', label: 'key', value: `no held verification key fits ${alg}`, ok: false });
      return { result: { ...base, verdict: 'unknown-key', detail: `the token names no kid and no held verification key fits ${alg}`, trace } };
    }
  }

  let lastFailure: SignetError | undefined;
  for (const key of candidates) {
    try {
      const description = { type: key.type, ...(key.curve && { curve: key.curve }) };
      // Key confusion is named before the material is asked for: a locked secret must not hide it.
      checkSigningAlg(alg, description);
      const verified = await verifyJws(token, {
        key: description,
        ...materialOf(key),
        ...(detachedPayload !== undefined && { payload: detachedPayload }),
      }, parts);
      return { result: statusVerdict(key, at, base, trace, verified.alg), verified, key };
    } catch (error) {
      const failure = error instanceof SignetError ? error : new SignetError('ERR_VERIFY_FAILED', 'signature verification failed');
      // A named key that refuses the algorithm is an attack signal (RS/HS confusion), not a miss.
      if (kid !== undefined || failure.code !== 'ERR_VERIFY_FAILED') lastFailure = failure;
      else lastFailure ??= failure;
      if (kid !== undefined) {
        trace.push({ step: 'key', label: 'key', value: describeKey(key) });
        break;
      }
    }
  }
  const failure = lastFailure ?? new SignetError('ERR_VERIFY_FAILED', 'signature verification failed');
  const verdict: Verdict = failure.code === 'ERR_JOSE_MALFORMED' ? 'malformed' : failure.code === 'ERR_LOCKED' ? 'unknown-key' : 'invalid';
  const detail = kid === undefined && failure.code === 'ERR_VERIFY_FAILED' ? `no held key verifies it (tried ${candidates.length}): ${failure.message}` : failure.message;
  trace.push({ step: 'result', label: 'result', value: detail, ok: false });
  const only = kid !== undefined ? candidates[0] : undefined;
  return { result: { ...base, ...(only && { keyId: only.keyId }), verdict, detail, trace } };
}

function fitsAlg(key: ResolvedKey, alg: string): boolean {
  return refusalOf(key, alg) === undefined && typeFits(key, alg);
}

const typeFits = (key: ResolvedKey, alg: string) => (allowedSigningAlgs({ type: key.type, ...(key.curve && { curve: key.curve }) }) as string[]).includes(alg);

/**
 * What the key itself says against checking this signature with it (RFC 7517 §4.2, §4.4): a key for
 * encryption does not vouch for signatures, and a key chosen for one algorithm is not used with another
 * (a key published for RS256 verifying PS256 is the algorithm substitution RFC 8725 §2.1 warns of).
 */
function refusalOf(key: ResolvedKey, alg: string): string | undefined {
  if (key.use === 'enc') return `key confusion: ${key.name} is an encryption key ("use": "enc"); it does not verify signatures`;
  // An alg foreign to the key's type is left to the allow-list, which names the attack (RS/HS confusion).
  if (key.pinnedAlg !== undefined && key.pinnedAlg !== alg && typeFits(key, alg)) return `alg ${quote(alg)} refused: ${key.name} is for ${key.pinnedAlg} only`;
  return undefined;
}

function materialOf(key: ResolvedKey): { publicKey?: KeyObject; secret?: Buffer } {
  if (key.type === 'hmac') {
    const secret = key.secret();
    if (!secret) throw new SignetError('ERR_LOCKED', `the secret of ${key.kid} is sealed: unlock the keystore to check HMAC signatures`);
    return { secret };
  }
  const publicKey = key.publicKey();
  return publicKey ? { publicKey } : {};
}

/** The verdict of a signature that verified, given the key's status when the message was made. */
export function statusVerdict(key: ResolvedKey, at: Date, base: { kid?: string; alg?: string }, trace: TraceStep[], alg?: string): Result {
  const status = keyStatusAt(key, at);
  const when = at.toISOString();
  trace.push({ step: 'key', label: 'key', value: describeKey(key) });
  trace.push({ step: 'status', label: `status at ${when}`, value: status, ok: status === 'active' });
  const withKey = { ...base, kid: key.kid, keyId: key.keyId, ...(alg && { alg }) };
  if (status === 'revoked') {
    const detail = `signature verifies, but the key was revoked at ${key.revokedAt?.toISOString() ?? '?'} — before this message (${when})`;
    trace.push({ step: 'result', label: 'result', value: 'signed by a revoked key', ok: false });
    return { ...withKey, verdict: 'revoked-key', detail, trace };
  }
  if (status === 'expired') {
    trace.push({ step: 'result', label: 'result', value: 'signed by an expired key', ok: false });
    return { ...withKey, verdict: 'expired-key', detail: `signature verifies, but the key expired at ${key.expiresAt?.toISOString() ?? '?'}, before this message`, trace };
  }
  if (status === 'pending') {
    trace.push({ step: 'result', label: 'result', value: 'key not yet valid', ok: false });
    return { ...withKey, verdict: 'invalid', detail: `signature verifies, but the key was not yet active at ${when}`, trace };
  }
  trace.push({ step: 'result', label: 'result', value: 'signature valid', ok: true });
  return { ...withKey, verdict: 'valid', detail: `signature valid (${alg ?? base.alg ?? ''} with ${key.name})`.replace(' ( with', ' (with'), trace };
}
