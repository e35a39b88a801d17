import type { KeyObject } from 'node:crypto';
import { FlattenedSign } from 'jose';
import { SignetError } from '../errors.ts';
import { checkSigningAlg, defaultSigningAlg, quote, type KeyDescription, type SigningAlg } from './algorithms.ts';
import { fromSigningFailure } from './failures.ts';
import { privateMaterial } from './key-material.ts';

export interface SignCompactInput {
  key: KeyDescription;
  privateKey?: KeyObject;
  secret?: Buffer;
  /** Defaults by key: RS256 for RSA, ES256/384/512 by curve, EdDSA, HS256. */
  alg?: string;
  payload: Uint8Array;
  /** Extra protected header parameters; may repeat `alg`/`kid`/`typ` only with the same value. */
  header?: Record<string, unknown>;
  kid: string;
  typ?: string;
  /** `header..signature`, the payload travelling elsewhere (RFC 7515 Appendix F). */
  detached?: boolean;
  /** false: sign the payload bytes as they are (RFC 7797), with `crit: ["b64"]`. */
  b64?: boolean;
}

/** Signs `payload` and returns a JWS in compact serialization (or its detached form). */
export async function signCompact(input: SignCompactInput): Promise<string> {
  const alg = input.alg === undefined ? defaultSigningAlg(input.key) : checkSigningAlg(input.alg, input.key, 'sign');
  const signingKey = privateMaterial(input, 'signing');
  const unencoded = input.b64 === false;
  const header = protectedHeader(input, alg, unencoded);
  if (unencoded && !input.detached) checkAttachableUnencoded(input.payload);
  let signed: { protected?: string; payload: string; signature: string };
  try {
    signed = await new FlattenedSign(input.payload).setProtectedHeader(header).sign(signingKey);
  } catch (error) {
    throw fromSigningFailure(error, alg);
  }
  const payloadSegment = input.detached ? '' : unencoded ? Buffer.from(input.payload).toString('latin1') : signed.payload;
  return `${signed.protected ?? ''}.${payloadSegment}.${signed.signature}`;
}

export interface SignJwtInput extends Omit<SignCompactInput, 'payload' | 'detached' | 'b64'> {
  claims?: Record<string, unknown>;
  /** Issued-at; defaults to `now`. Pass false to leave `iat` out. */
  iat?: Date | false;
  exp?: Date;
  nbf?: Date;
  iss?: string;
  aud?: string | string[];
  jti?: string;
  /** The clock for the default `iat` (injected in tests). */
  now?: Date;
}

/** Signs a JWT (RFC 7519): the claims as JSON, `typ: JWT` unless told otherwise. */
export async function signJwt(input: SignJwtInput): Promise<string> {
  const { claims = {}, iat, exp, nbf, iss, aud, jti, now, ...signing } = input;
  const named: Record<string, unknown> = {
    iat: iat === false ? undefined : numericDate(iat ?? now ?? new Date()),
    exp: exp && numericDate(exp),
    nbf: nbf && numericDate(nbf),
    iss,
    aud,
    jti,
  };
  const payload: Record<string, unknown> = { ...claims };
  for (const [name, value] of Object.entries(named)) {
    if (value === undefined) continue;
    if (name in claims && claims[name] !== value) {
      throw new SignetError('ERR_BAD_INPUT', `claim "${name}" is given twice (in the claims and as an option); give it once`);
    }
    payload[name] = value;
  }
  return signCompact({ ...signing, typ: signing.typ ?? 'JWT', payload: new TextEncoder().encode(JSON.stringify(payload)) });
}

/** Seconds since the epoch, as JWT claims count time (RFC 7519 §2). */
export function numericDate(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * The protected header: the caller's parameters plus `alg`, `kid`, `typ`. A caller value that
 * contradicts them is refused rather than silently replaced, so nobody signs a header they did not see.
 */
function protectedHeader(input: SignCompactInput, alg: SigningAlg, unencoded: boolean): Record<string, unknown> {
  const extra = { ...(input.header ?? {}) };
  for (const [name, value] of [['alg', alg], ['kid', input.kid], ['typ', input.typ]] as const) {
    if (extra[name] !== undefined && value !== undefined && extra[name] !== value) {
      throw new SignetError('ERR_BAD_INPUT', `header "${name}" ${quote(String(extra[name]))} conflicts with ${quote(value)}; leave it out of the header`);
    }
  }
  if ('b64' in extra || 'crit' in extra) {
    throw new SignetError('ERR_BAD_INPUT', 'header "b64"/"crit" are set by Signet: use the b64 option (RFC 7797) instead');
  }
  const header: Record<string, unknown> = { alg, kid: input.kid, ...(input.typ === undefined ? {} : { typ: input.typ }), ...extra };
  if (unencoded) {
    header.b64 = false;
    header.crit = ['b64'];
  }
  return header;
}

/** RFC 7797 §5.2: an unencoded payload in compact form must not contain '.', and must be ASCII. */
function checkAttachableUnencoded(payload: Uint8Array): void {
  if (payload.some((byte) => byte === 0x2e || byte < 0x20 || byte > 0x7e)) {
    throw new SignetError('ERR_BAD_INPUT', "an unencoded (b64: false) payload with '.', control or non-ASCII bytes cannot be attached; sign it detached");
  }
}
