import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../errors.ts';

/**
 * OnePoint Global HMAC request authentication (partner spec 004): the client concatenates AppId,
 * method, request URI, UNIX timestamp, nonce and the Base64 of the body, HMACs the string with the
 * application's secret and sends `Authorization: X-OPG-Signature AppId:Signature:Nonce:Timestamp`.
 * The spec leaves hash and encodings open, so they are named profiles (data, switchable in settings).
 */

export type CanonicalField = 'appId' | 'method' | 'uri' | 'timestamp' | 'nonce' | 'bodyBase64';

export interface HmacProfile {
  id: string;
  label: string;
  hash: 'sha256' | 'sha1';
  /** Joined in this order with `separator`. */
  fields: readonly CanonicalField[];
  separator: string;
  description: string;
}

const OPG_FIELDS: readonly CanonicalField[] = ['appId', 'method', 'uri', 'timestamp', 'nonce', 'bodyBase64'];
const ENCODINGS =
  'AppId + HTTP method in upper case + request URI as sent (path and query) + UNIX timestamp in seconds + nonce + ' +
  'standard padded Base64 of the body bytes (empty when there is no body), with no separator; keyed with the bytes of ' +
  'the secret as issued (UTF-8); signature in standard padded Base64.';

export const HMAC_PROFILES = {
  'opg-sha256': {
    id: 'opg-sha256',
    label: 'OnePoint HMAC-SHA-256',
    hash: 'sha256',
    fields: OPG_FIELDS,
    separator: '',
    description: `HMAC-SHA-256 over ${ENCODINGS}`,
  },
  'opg-sha1-legacy': {
    id: 'opg-sha1-legacy',
    label: 'OnePoint HMAC-SHA-1 (legacy)',
    hash: 'sha1',
    fields: OPG_FIELDS,
    separator: '',
    description: `HMAC-SHA-1, for older partners, over ${ENCODINGS}`,
  },
} as const satisfies Record<string, HmacProfile>;

export type HmacProfileId = keyof typeof HMAC_PROFILES;
export const DEFAULT_HMAC_PROFILE: HmacProfileId = 'opg-sha256';
export const DEFAULT_WINDOW_SEC = 300;
export const AUTH_SCHEME = 'X-OPG-Signature';

export function resolveHmacProfile(profile: HmacProfile | string): HmacProfile {
  if (typeof profile !== 'string') return profile;
  if (Object.hasOwn(HMAC_PROFILES, profile)) return HMAC_PROFILES[profile as HmacProfileId];
  throw new SignetError('ERR_BAD_INPUT', `unknown HMAC profile "${profile}"; known profiles: ${Object.keys(HMAC_PROFILES).join(', ')}`);
}

export interface CanonicalRequest {
  appId: string;
  method: string;
  /** The request target as sent: path and query, e.g. `/opg/surveys?x=1`. */
  uri: string;
  /** UNIX seconds; a string is used exactly as it appeared in a captured header. */
  timestamp: number | string;
  nonce: string;
  body?: Uint8Array;
}

/** The exact string that is HMACed. */
export function canonicalString(profile: HmacProfile | string, request: CanonicalRequest): string {
  const { fields, separator } = resolveHmacProfile(profile);
  const values: Record<CanonicalField, string> = {
    appId: request.appId,
    method: request.method.toUpperCase(),
    uri: request.uri,
    timestamp: String(request.timestamp),
    nonce: request.nonce,
    bodyBase64: request.body && request.body.length > 0 ? Buffer.from(request.body).toString('base64') : '',
  };
  return fields.map((field) => values[field]).join(separator);
}

export interface SignOpgInput extends CanonicalRequest {
  profile: HmacProfile | string;
  secret: Buffer;
}

export interface SignedOpgRequest {
  /** The `Authorization` header value: `X-OPG-Signature AppId:Signature:Nonce:Timestamp`. */
  header: string;
  canonical: string;
  signature: string;
}

export function signOpg(input: SignOpgInput): SignedOpgRequest {
  for (const [name, value] of [['AppId', input.appId], ['nonce', input.nonce]] as const) {
    if (value === '' || value.includes(':') || /\s/.test(value)) {
      throw new SignetError('ERR_BAD_INPUT', `the ${name} must be non-empty, without ':' or spaces (it travels in a colon-separated header)`);
    }
  }
  const { timestamp } = input;
  const timestampOk = typeof timestamp === 'number' ? Number.isSafeInteger(timestamp) && timestamp >= 0 : /^\d{1,12}$/.test(timestamp);
  if (!timestampOk) throw new SignetError('ERR_BAD_INPUT', 'the timestamp is UNIX time in whole seconds');
  const profile = resolveHmacProfile(input.profile);
  const canonical = canonicalString(profile, input);
  const signature = hmac(profile, input.secret, canonical).toString('base64');
  return { header: `${AUTH_SCHEME} ${input.appId}:${signature}:${input.nonce}:${input.timestamp}`, canonical, signature };
}

export interface ParsedOpgHeader {
  appId: string;
  signature: string;
  nonce: string;
  timestamp: number;
  /** The timestamp exactly as sent; the canonical string uses this. */
  timestampText: string;
}

const MAX_HEADER_CHARS = 8192;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Reads `X-OPG-Signature AppId:Signature:Nonce:Timestamp` (an `Authorization:` prefix is allowed). */
export function parseOpgHeader(value: string): ParsedOpgHeader {
  if (value.length > MAX_HEADER_CHARS) throw malformed(`the header is ${value.length} characters; at most ${MAX_HEADER_CHARS} are read`);
  const withoutName = value.trim().replace(/^authorization\s*:\s*/i, '');
  const match = /^x-opg-signature\s+(\S+)$/i.exec(withoutName);
  if (!match || match[1] === undefined) {
    throw malformed(`not an ${AUTH_SCHEME} header (expected "${AUTH_SCHEME} AppId:Signature:Nonce:Timestamp")`);
  }
  const fields = match[1].split(':');
  if (fields.length !== 4) throw malformed(`expected 4 colon-separated fields AppId:Signature:Nonce:Timestamp; found ${fields.length}`);
  const [appId = '', signature = '', nonce = '', timestampText = ''] = fields;
  for (const [name, field] of [['AppId', appId], ['Signature', signature], ['Nonce', nonce], ['Timestamp', timestampText]] as const) {
    if (field === '') throw malformed(`the ${name} field is empty`);
  }
  // Canonical only: a decoder ignores the spare bits of the last character, so two texts could carry one MAC.
  if (!STANDARD_BASE64.test(signature) || Buffer.from(signature, 'base64').toString('base64') !== signature) {
    throw malformed('the Signature field is not standard padded Base64');
  }
  if (!/^\d{1,12}$/.test(timestampText)) throw malformed('the Timestamp field is not a UNIX time in seconds');
  return { appId, signature, nonce, timestamp: Number(timestampText), timestampText };
}

export interface VerifyOpgInput {
  profile: HmacProfile | string;
  parsed: ParsedOpgHeader;
  secret: Buffer;
  method: string;
  uri: string;
  body?: Uint8Array;
  /** When the request was made (or received); without it no skew is computed. */
  now?: Date;
  windowSec?: number;
  /** Callbacks from the platform skip the timestamp and nonce checks (partner spec 004, step 3). */
  isCallback?: boolean;
}

export type OpgProblem = 'clock-skew';

export interface OpgVerification {
  signatureValid: boolean;
  canonical: string;
  /** `now` minus the request's timestamp, in seconds (positive: the request is older than now). */
  skewSec: number | null;
  problems: OpgProblem[];
}

export function verifyOpg(input: VerifyOpgInput): OpgVerification {
  const profile = resolveHmacProfile(input.profile);
  const { parsed } = input;
  const canonical = canonicalString(profile, {
    appId: parsed.appId,
    method: input.method,
    uri: input.uri,
    timestamp: parsed.timestampText,
    nonce: parsed.nonce,
    body: input.body,
  });
  const expected = hmac(profile, input.secret, canonical);
  const received = Buffer.from(parsed.signature, 'base64');
  // Constant-time comparison: a byte-by-byte early exit would let a forger learn the MAC piece by piece.
  const signatureValid = received.length === expected.length && timingSafeEqual(received, expected);
  const skewSec = input.now ? Math.floor(input.now.getTime() / 1000) - parsed.timestamp : null;
  const windowSec = input.windowSec ?? DEFAULT_WINDOW_SEC;
  const problems: OpgProblem[] = [];
  if (!input.isCallback && skewSec !== null && Math.abs(skewSec) > windowSec) problems.push('clock-skew');
  return { signatureValid, canonical, skewSec, problems };
}

/**
 * Whether a request goes to one of the callback paths, which skip the timestamp and nonce checks (partner
 * spec 004, step 3). Whole segments: `/opg/callbackhijack` is another resource. And it fails closed: a
 * path that servers read in different ways (dot segments, `;` parameters, empty segments, escapes other
 * than of unreserved characters) is never a callback, whatever it could resolve to: `/opg/callback/..;/admin`
 * is `/opg/admin` to Tomcat, `/opg/callback//../admin` to nginx. Such a request keeps its replay checks.
 */
export function isCallbackUri(uri: string, callbackPaths: readonly string[]): boolean {
  const path = decodedUnreserved(uri.split(/[?#]/)[0] ?? '');
  if (!isPlainPath(path)) return false;
  return callbackPaths.some((callback) => {
    const prefix = decodedUnreserved(callback).replace(/\/+$/, '');
    return path === prefix || path.startsWith(`${prefix}/`);
  });
}

/** Percent-encoded unreserved characters decoded, as RFC 3986 §6.2.2.2 compares paths (`%63` is `c`). */
function decodedUnreserved(path: string): string {
  return path.replace(/%[0-9a-f]{2}/gi, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9._~-]/.test(char) ? char : escape.toUpperCase();
  });
}

/** An absolute path every server reads the same way: no dot or empty segment (but a final slash), no `;`, no escape left. */
function isPlainPath(path: string): boolean {
  if (!path.startsWith('/')) return false;
  const segments = path.slice(1).split('/');
  return segments.every((segment, index) => (segment !== '' || index === segments.length - 1) && segment !== '.' && segment !== '..' && !/[;%\\]/.test(segment));
}

const DIGESTS = {
  sha256: { bytes: 32, name: 'HMAC-SHA-256' },
  sha1: { bytes: 20, name: 'HMAC-SHA-1' },
} as const satisfies Record<HmacProfile['hash'], { bytes: number; name: string }>;

/**
 * Why an HMAC did not match. Partner 004 names SHA-1 while the default profile is SHA-256, so a received
 * MAC the length of another profile's hash most likely comes from a partner on that profile: say so.
 */
export function hmacMismatchDetail(profile: HmacProfile | string, signature: string): string {
  const current = resolveHmacProfile(profile);
  const detail = `the HMAC does not match the canonical string of profile ${current.id}`;
  const bytes = Buffer.from(signature, 'base64').length;
  const likely = Object.values<HmacProfile>(HMAC_PROFILES).find((candidate) => candidate.hash !== current.hash && DIGESTS[candidate.hash].bytes === bytes);
  if (!likely) return detail;
  return `${detail}; the signature is ${bytes} bytes, as ${DIGESTS[likely.hash].name} gives: is the partner on the ${likely.id} profile? (Settings › Inspection › HMAC profile, or signet settings set inspection.hmacProfile ${likely.id})`;
}

function hmac(profile: HmacProfile, secret: Buffer, canonical: string): Buffer {
  if (secret.length === 0) throw new SignetError('ERR_BAD_INPUT', 'the HMAC secret is empty');
  return createHmac(profile.hash, secret).update(canonical, 'utf8').digest();
}

function malformed(reason: string): SignetError {
  return new SignetError('ERR_HMAC_MALFORMED', `X-OPG-Signature header: ${reason}`);
}

/**
 * The request target of a full URL (`https://h/p?q` → `/p?q`), for captures that record absolute
 * URLs. Scheme and authority are cut off textually, not re-serialised, so the path keeps the exact
 * bytes that were sent (a URL parser would normalise percent-encoding and dot segments).
 */
export function requestUriOf(url: string): string {
  if (url.startsWith('/')) return url;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^#]*)/i.exec(url);
  if (!match) throw new SignetError('ERR_BAD_INPUT', `not a URL or a request path: "${url.slice(0, 80)}"`);
  const target = match[1] ?? '';
  return target === '' ? '/' : target.startsWith('?') ? `/${target}` : target;
}
