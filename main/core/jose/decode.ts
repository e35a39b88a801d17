import { SignetError } from '../errors.ts';
import { MAX_TOKEN_CHARS, checkTokenSize, decodeBase64Url, isBase64Url, jsonShape, parseHeaderSegment } from './encoding.ts';

const MAX_PAYLOAD_DEPTH = 64;

/** A payload as a debugger shows it: JSON when it parses, text when it is printable, else bytes. */
export type DecodedPayload =
  | { form: 'json'; value: unknown }
  | { form: 'text'; value: string }
  | { form: 'bytes'; base64: string };

export interface DecodedToken {
  kind: 'jws' | 'jwe' | 'jws-detached';
  header: Record<string, unknown>;
  /** JWS only (a JWE's payload is its ciphertext). */
  payload?: DecodedPayload;
  /** The signature segment as it appears in the token (base64url); JWS only. */
  signature?: string;
  parts: string[];
}

/**
 * Decodes any compact JWS, JWT or JWE without a key, like a debugger, offline. Nothing is verified:
 * the result says what the token claims, not whether it is true.
 */
export function decodeToken(text: string, options: { maxChars?: number } = {}): DecodedToken {
  checkTokenSize(text, options.maxChars ?? MAX_TOKEN_CHARS);
  const token = text.trim();
  const parts = token.split('.');
  try {
    if (parts.length === 5) return decodeJwe(parts);
    if (parts.length === 3) return decodeJws(parts);
  } catch (error) {
    // A token wrapped across lines, or pasted with its "Bearer " scheme, is one the user can mend.
    if (error instanceof SignetError && /\s/.test(token)) throw new SignetError(error.code, `${error.message}${WHITESPACE_HINT}`);
    throw error;
  }
  throw new SignetError('ERR_JOSE_MALFORMED', `not a JOSE token: a JWS has 3 dot-separated parts and a JWE 5; this has ${parts.length}${jsonHint(token)}`);
}

const WHITESPACE_HINT = ' (the token holds spaces or line breaks: a compact token is one line; join wrapped lines, drop a "Bearer " prefix)';

function decodeJws(parts: string[]): DecodedToken {
  const [headerSegment = '', payloadSegment = '', signature = ''] = parts;
  const header = parseHeaderSegment(headerSegment, 'JWS header');
  // An unsecured JWS (RFC 7515 A.5: alg "none") has an empty signature: decoded, so that it can be
  // shown and refused by name; any other alg needs one.
  const unsecured = signature === '' && typeof header.alg === 'string' && header.alg.toLowerCase() === 'none';
  if (!unsecured && (signature === '' || !isBase64Url(signature))) throw new SignetError('ERR_JOSE_MALFORMED', 'the JWS signature is missing or not base64url');
  if (payloadSegment === '') return { kind: 'jws-detached', header, signature, parts };
  // RFC 7797: with b64 false the payload segment is the payload itself.
  const payloadBytes = header.b64 === false ? Buffer.from(payloadSegment, 'utf8') : decodeBase64Url(payloadSegment, 'the JWS payload');
  return { kind: 'jws', header, payload: describePayload(payloadBytes), signature, parts };
}

function decodeJwe(parts: string[]): DecodedToken {
  parts.forEach((part, index) => {
    if (!isBase64Url(part)) throw new SignetError('ERR_JOSE_MALFORMED', `JWE part ${index + 1} is not base64url`);
  });
  const header = parseHeaderSegment(parts[0] ?? '', 'JWE header');
  if (typeof header.enc !== 'string') throw new SignetError('ERR_JOSE_MALFORMED', 'a JWE header names its content encryption in "enc"; this one does not');
  return { kind: 'jwe', header, parts };
}

export function describePayload(bytes: Uint8Array): DecodedPayload {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { form: 'bytes', base64: Buffer.from(bytes).toString('base64') };
  }
  const trimmed = text.trim();
  // Deeper JSON is shown as text: printing it (JSON.stringify recurses) would overflow the stack.
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && jsonShape(trimmed).depth <= MAX_PAYLOAD_DEPTH) {
    try {
      return { form: 'json', value: JSON.parse(text) };
    } catch {
      // Not JSON after all: shown as text below.
    }
  }
  // Control characters other than tab/newline mean binary that happens to be valid UTF-8.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { form: 'bytes', base64: Buffer.from(bytes).toString('base64') };
  return { form: 'text', value: text };
}

// Cheap detectors for scanning traffic: shape only (the header of every JOSE object starts `{"`, which
// base64url-encodes to `eyJ`). Confirm with decodeToken before reporting anything. The signature may
// be empty: an unsigned `alg: none` token in traffic is a finding, not something to pass over.
const JWS_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const JWS_UNENCODED_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[\x21-\x2d\x2f-\x7e]*\.[A-Za-z0-9_-]*$/;
const JWE_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const DETECT_LIMIT = MAX_TOKEN_CHARS;

/** A JOSE JSON serialization (RFC 7515 §7.2, RFC 7516 §7.2) is recognised, to say what to do instead. */
export function jsonHint(token: string): string {
  return token.startsWith('{') ? ' (this is the JSON serialization: Signet reads the compact form, header.payload.signature)' : '';
}

export function looksLikeJws(text: string): boolean {
  if (text.length > DETECT_LIMIT) return false;
  const candidate = text.trim();
  return JWS_SHAPE.test(candidate) || JWS_UNENCODED_SHAPE.test(candidate);
}

export function looksLikeJwe(text: string): boolean {
  if (text.length > DETECT_LIMIT) return false;
  return JWE_SHAPE.test(text.trim());
}
