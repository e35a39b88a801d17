import type { KeyObject } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { SignetError } from '../errors.ts';
import { checkSigningAlg, quote, type KeyDescription, type SigningAlg } from './algorithms.ts';
import { jsonHint } from './decode.ts';
import { checkTokenSize, isBase64Url, parseHeaderSegment } from './encoding.ts';
import { VERIFY_FAILED, fromVerificationFailure } from './failures.ts';
import { publicMaterial } from './key-material.ts';

export interface VerifyCompactOptions {
  key: KeyDescription;
  publicKey?: KeyObject;
  secret?: Buffer;
  /** The bytes a detached JWS signs (RFC 7515 Appendix F); only for a detached JWS. */
  payload?: Uint8Array;
  /** Narrows the algorithms the key allows (never widens them). */
  algorithms?: readonly string[];
}

export interface VerifiedJws {
  header: Record<string, unknown>;
  payload: Uint8Array;
  alg: SigningAlg;
  detached: boolean;
}

/** Header parameters Signet understands when a token lists them in `crit` (RFC 7515 §4.1.11). */
const UNDERSTOOD_CRITICAL = new Set(['b64']);
const REGISTERED = new Set(['alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit', 'enc', 'zip']);

/**
 * Verifies a compact JWS with the key given. The key is never taken from the token: `jwk`, `jku`,
 * `x5u` and `x5c` in the header are ignored for key selection (RFC 8725 §3.10, the embedded-key attack).
 */
export async function verifyCompact(token: string, options: VerifyCompactOptions): Promise<VerifiedJws> {
  checkTokenSize(token);
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    const hint = parts.length === 5 ? ' (5 parts: this is a JWE, decrypt it instead)' : jsonHint(token.trim());
    throw new SignetError('ERR_JOSE_MALFORMED', `a compact JWS has 3 dot-separated parts; this has ${parts.length}${hint}`);
  }
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = parts;
  const header = parseHeaderSegment(headerSegment, 'JWS header');
  const alg = checkSigningAlg(header.alg, options.key);
  if (options.algorithms && !options.algorithms.includes(alg)) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${alg} is not among the algorithms allowed here (${options.algorithms.join(', ')})`);
  }
  const b64 = checkCritical(header);
  if (signatureSegment === '' || !isBase64Url(signatureSegment)) {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the JWS signature is missing or not base64url');
  }
  const detached = payloadSegment === '' && options.payload !== undefined;
  if (payloadSegment !== '' && options.payload !== undefined) {
    throw new SignetError('ERR_BAD_INPUT', 'this JWS carries its own payload; pass a payload only for a detached JWS');
  }
  if (b64 && !isBase64Url(payloadSegment)) throw new SignetError('ERR_JOSE_MALFORMED', 'the JWS payload is not base64url');
  const payload = signingPayload(payloadSegment, options.payload, b64);
  const key = publicMaterial(options, 'verification');
  try {
    const result = await flattenedVerify({ protected: headerSegment, payload, signature: signatureSegment }, key, { algorithms: [alg] });
    return { header, payload: result.payload, alg, detached };
  } catch (error) {
    const failure = fromVerificationFailure(error, alg);
    if (failure.code === 'ERR_VERIFY_FAILED' && payloadSegment === '' && options.payload === undefined) {
      throw new SignetError('ERR_VERIFY_FAILED', `${VERIFY_FAILED} (if this JWS is detached, pass the payload it signs)`);
    }
    if (failure.code === 'ERR_VERIFY_FAILED' && isDerEcdsa(alg, Buffer.from(signatureSegment, 'base64url'))) {
      throw new SignetError('ERR_VERIFY_FAILED', `${VERIFY_FAILED} (the signature is DER-encoded, as OpenSSL writes ECDSA; a JWS carries the raw R||S pair, RFC 7518 §3.4)`);
    }
    throw failure;
  }
}

const RAW_ECDSA_BYTES: Partial<Record<SigningAlg, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/** An ECDSA signature of the wrong length that parses as DER: a SEQUENCE of two INTEGERs, nothing after. */
function isDerEcdsa(alg: SigningAlg, signature: Buffer): boolean {
  const raw = RAW_ECDSA_BYTES[alg];
  if (raw === undefined || signature.length === raw || signature[0] !== 0x30) return false;
  // ES512's sequence is over 127 bytes: its length takes the long form, one byte after 0x81.
  const longForm = signature[1] === 0x81;
  let at = longForm ? 3 : 2;
  if (at + (signature[at - 1] ?? 0) !== signature.length) return false;
  for (let integer = 0; integer < 2; integer++) {
    if (signature[at] !== 0x02) return false;
    at += 2 + (signature[at + 1] ?? 0);
  }
  return at === signature.length;
}

function signingPayload(segment: string, detachedPayload: Uint8Array | undefined, b64: boolean): string | Uint8Array {
  // An unencoded payload in a token is text: the bytes signed are its UTF-8 (as the token travels).
  if (detachedPayload === undefined) return b64 ? segment : Buffer.from(segment, 'utf8');
  return b64 ? Buffer.from(detachedPayload).toString('base64url') : detachedPayload;
}

/**
 * RFC 7515 §4.1.11: a recipient must refuse a token naming in `crit` an extension it does not
 * understand. Returns the RFC 7797 `b64` value (true when absent).
 */
function checkCritical(header: Record<string, unknown>): boolean {
  const { crit, b64 } = header;
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every((name): name is string => typeof name === 'string')) {
      throw new SignetError('ERR_JOSE_MALFORMED', '"crit" must be a non-empty array of header parameter names');
    }
    for (const name of crit) {
      if (REGISTERED.has(name)) throw new SignetError('ERR_JOSE_MALFORMED', `"crit" must not list the registered parameter ${quote(name)}`);
      if (!UNDERSTOOD_CRITICAL.has(name)) {
        throw new SignetError('ERR_JOSE_UNSUPPORTED', `"crit" names ${quote(name)}, an extension Signet does not understand: token refused (RFC 7515 §4.1.11)`);
      }
      if (!(name in header)) throw new SignetError('ERR_JOSE_MALFORMED', `"crit" names ${quote(name)} but the header does not carry it`);
    }
  }
  if (b64 === undefined) return true;
  if (typeof b64 !== 'boolean') throw new SignetError('ERR_JOSE_MALFORMED', '"b64" must be true or false (RFC 7797 §3)');
  if (!Array.isArray(crit) || !crit.includes('b64')) {
    throw new SignetError('ERR_JOSE_MALFORMED', '"b64" must be listed in "crit" (RFC 7797 §6)');
  }
  return b64;
}

// --- JWT claims ------------------------------------------------------------------------------

export type ClaimProblemKind =
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future'
  | 'too-old'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-claim'
  | 'malformed-claim'
  | 'not-a-claims-set';

export interface ClaimProblem {
  claim: string;
  kind: ClaimProblemKind;
  detail: string;
}

export interface ClaimCheckOptions {
  now: Date;
  clockToleranceSec?: number;
  issuer?: string | readonly string[];
  audience?: string | readonly string[];
  /** Refuse tokens issued longer ago than this (needs `iat`). */
  maxAgeSec?: number;
}

/**
 * Checks the registered claims (RFC 7519 §4.1) and returns every problem as data, not the first as
 * a throw (as jose's jwtVerify does): the inspection maps them to `expired` / `invalid` verdicts.
 */
export function verifyJwtClaims(payload: Uint8Array | Record<string, unknown>, options: ClaimCheckOptions): ClaimProblem[] {
  const claims = payload instanceof Uint8Array ? parseClaims(payload) : payload;
  if (claims === undefined) return [{ claim: '(payload)', kind: 'not-a-claims-set', detail: 'the payload is not a JSON object of claims' }];
  const now = Math.floor(options.now.getTime() / 1000);
  const tolerance = options.clockToleranceSec ?? 0;
  const problems: ClaimProblem[] = [];
  const time = (name: 'exp' | 'nbf' | 'iat'): number | undefined => {
    const value = claims[name];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    problems.push({ claim: name, kind: 'malformed-claim', detail: `"${name}" must be a NumericDate (seconds since 1970)` });
    return undefined;
  };
  const exp = time('exp');
  const nbf = time('nbf');
  const iat = time('iat');
  if (exp !== undefined && now >= exp + tolerance) {
    problems.push({ claim: 'exp', kind: 'expired', detail: `expired at ${isoSeconds(exp)}` });
  }
  if (nbf !== undefined && now + tolerance < nbf) {
    problems.push({ claim: 'nbf', kind: 'not-yet-valid', detail: `not valid before ${isoSeconds(nbf)}` });
  }
  if (iat !== undefined && now + tolerance < iat) {
    problems.push({ claim: 'iat', kind: 'issued-in-future', detail: `issued in the future, at ${isoSeconds(iat)}` });
  }
  if (options.maxAgeSec !== undefined) {
    if (iat === undefined) problems.push({ claim: 'iat', kind: 'missing-claim', detail: 'a maximum age is set but the token has no "iat"' });
    else if (now - iat > options.maxAgeSec + tolerance) {
      problems.push({ claim: 'iat', kind: 'too-old', detail: `issued at ${isoSeconds(iat)}, older than ${options.maxAgeSec} s` });
    }
  }
  if (options.issuer !== undefined) {
    const expected = typeof options.issuer === 'string' ? [options.issuer] : options.issuer;
    if (typeof claims.iss !== 'string' || !expected.includes(claims.iss)) {
      problems.push({ claim: 'iss', kind: 'wrong-issuer', detail: `issuer ${describeClaim(claims.iss)} is not ${expected.join(' or ')}` });
    }
  }
  if (options.audience !== undefined) {
    const expected = typeof options.audience === 'string' ? [options.audience] : options.audience;
    const actual = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!actual.some((aud) => typeof aud === 'string' && expected.includes(aud))) {
      problems.push({ claim: 'aud', kind: 'wrong-audience', detail: `audience ${describeClaim(claims.aud)} does not include ${expected.join(' or ')}` });
    }
  }
  return problems;
}

function parseClaims(payload: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

function describeClaim(value: unknown): string {
  if (value === undefined) return '(none)';
  return quote(typeof value === 'string' ? value : JSON.stringify(value));
}
