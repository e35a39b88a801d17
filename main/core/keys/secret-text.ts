import { SignetError } from '../errors.ts';

export const SECRET_ENCODINGS = ['text', 'base64', 'hex'] as const;
export type SecretEncoding = (typeof SECRET_ENCODINGS)[number];

// One alphabet or the other (RFC 4648 §4, §5), never both in one secret; padding optional.
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)(={0,2})$/;

/**
 * An HMAC secret as a partner issued it, to its bytes: text (OnePoint's portal) is its UTF-8 bytes,
 * raw bytes come written in base64 (either alphabet) or hex, which may be wrapped or spaced. The one
 * decoder for the CLI and the console, so a secret means the same bytes in both. Its messages never
 * quote the secret.
 */
export function decodeSecretText(text: string, encoding: SecretEncoding): Buffer {
  if (encoding === 'text') {
    // A file's or a paste's final line ending is not part of the secret; another one would be.
    const line = text.replace(/\r?\n$/, '');
    if (/[\r\n]/.test(line)) throw new SignetError('ERR_BAD_INPUT', 'the secret is more than one line of text: give the secret alone');
    return Buffer.from(line, 'utf8');
  }
  const compact = text.replace(/\s+/g, '');
  if (encoding === 'hex') {
    if (!/^[0-9a-f]*$/i.test(compact)) throw new SignetError('ERR_BAD_INPUT', 'the secret is not hex (pairs of 0-9, a-f)');
    if (compact.length % 2 === 1) throw new SignetError('ERR_BAD_INPUT', 'the secret is not hex: an odd number of digits (is it cut short?)');
    return Buffer.from(compact, 'hex');
  }
  const padding = BASE64.exec(compact)?.[1];
  if (padding === undefined) throw new SignetError('ERR_BAD_INPUT', 'the secret is not base64 (A-Z, a-z, 0-9 with + and / or with - and _)');
  // Four characters carry three bytes: a lone one after the last four carries none.
  const unpadded = compact.length - padding.length;
  if (unpadded % 4 === 1 || (padding && (compact.length % 4 !== 0 || unpadded % 4 === 0))) {
    throw new SignetError('ERR_BAD_INPUT', 'the secret is not base64: its length is not that of any bytes (is it cut short?)');
  }
  return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
