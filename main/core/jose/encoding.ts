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
  return header;
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
