import { SignetError } from '../errors.ts';

/**
 * Strict base64url and JOSE-header parsing shared by decode, verify and decrypt. Node's own base64url
 * decoder skips characters it does not know and ignores the spare bits of the last character; a
 * segment that is not the one canonical encoding of its bytes is refused here, so that changing any
 * character of a token changes what is verified or decrypted.
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function isBase64Url(text: string): boolean {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return false;
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

export function decodeBase64Url(text: string, what: string): Buffer {
  if (!isBase64Url(text)) throw new SignetError('ERR_JOSE_MALFORMED', `${what} is not base64url (RFC 7515 §2)`);
  return Buffer.from(text, 'base64url');
}

/** A JOSE header: base64url of a UTF-8 JSON object (RFC 7515 §4). */
export function parseHeaderSegment(segment: string, what = 'header'): Record<string, unknown> {
  if (segment === '') throw new SignetError('ERR_JOSE_MALFORMED', `the ${what} is empty`);
  const json = decodeUtf8(decodeBase64Url(segment, `the ${what}`), `the ${what}`);
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch {
    throw new SignetError('ERR_JOSE_MALFORMED', `the ${what} is not JSON`);
  }
  if (!isPlainObject(header)) throw new SignetError('ERR_JOSE_MALFORMED', `the ${what} is not a JSON object`);
  const { duplicate: repeated, depth } = jsonShape(json);
  if (depth > MAX_HEADER_DEPTH) throw new SignetError('ERR_JOSE_MALFORMED', `the ${what} is nested ${depth} levels deep; a JOSE header needs at most ${MAX_HEADER_DEPTH}`);
  if (repeated !== undefined) {
    const name = JSON.stringify(repeated.length > 40 ? `${repeated.slice(0, 40)}…` : repeated);
    throw new SignetError('ERR_JOSE_MALFORMED', `the ${what} names ${name} twice: refused (RFC 7515 §4: header parameter names must be unique)`);
  }
  return header;
}

/** A member name with its JSON escapes resolved (as written, when they do not parse). */
function unescaped(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * Headers hold at most an `epk` or `jwk` object: anything deeper is hostile, and would overflow the
 * recursive JSON.stringify that shows a decoded header (the CLI, the console, IPC).
 */
export const MAX_HEADER_DEPTH = 16;

/**
 * The first member name that occurs twice in one object of a JSON text (at any depth), and how deep
 * the text nests. RFC 7515 §4 lets a parser either reject duplicate header parameters or keep the
 * last; Signet rejects, because a gateway that keeps the first `alg` or `kid` would verify a different
 * token than Signet does. Iterative, so deep nesting cannot exhaust the stack. `json` must be valid JSON.
 */
export function jsonShape(json: string): { duplicate: string | undefined; depth: number } {
  const objects: (Set<string> | null)[] = [];
  let expectingName = false;
  let depth = 0;
  let duplicate: string | undefined;
  for (let i = 0; i < json.length; i++) {
    const char = json.charCodeAt(i);
    if (char === 0x22) {
      const start = i;
      for (i++; i < json.length; i++) {
        const inner = json.charCodeAt(i);
        if (inner === 0x5c) i++;
        else if (inner === 0x22) break;
      }
      const names = objects[objects.length - 1];
      if (expectingName && names) {
        const raw = json.slice(start + 1, i);
        const name = raw.includes('\\') ? unescaped(raw) : raw;
        if (names.has(name)) duplicate ??= name;
        names.add(name);
        expectingName = false;
      }
    } else if (char === 0x7b) {
      objects.push(new Set());
      depth = Math.max(depth, objects.length);
      expectingName = true;
    } else if (char === 0x5b) {
      objects.push(null);
      depth = Math.max(depth, objects.length);
      expectingName = false;
    } else if (char === 0x7d || char === 0x5d) {
      objects.pop();
      expectingName = false;
    } else if (char === 0x2c) {
      expectingName = objects[objects.length - 1] instanceof Set;
    }
  }
  return { duplicate, depth };
}

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SignetError('ERR_JOSE_MALFORMED', `${what} is not UTF-8`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tokens are read from captures and pasted text: bound them before any work is done. */
export const MAX_TOKEN_CHARS = 16 * 1024 * 1024;

export function checkTokenSize(text: string, maxChars = MAX_TOKEN_CHARS): void {
  if (text.length > maxChars) {
    throw new SignetError('ERR_TOO_LARGE', `token is ${text.length} characters; the limit is ${maxChars}`);
  }
}
