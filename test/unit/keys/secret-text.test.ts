import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeSecretText, type SecretEncoding } from '../../../main/core/keys/secret-text.ts';

/** Bytes whose base64 holds both characters the two alphabets differ in (+/ against -_), then random ones. */
const secretOf = (length: number): Buffer => Buffer.concat([Buffer.from([0xfb, 0xff, 0xbf]), randomBytes(length - 3)]);

/** The refusal's message, checked to be one that does not quote the secret it refuses. */
function refusal(text: string, encoding: SecretEncoding): string {
  try {
    decodeSecretText(text, encoding);
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_BAD_INPUT' });
    const { message } = error as Error;
    expect(message).not.toContain(text.trim());
    return message;
  }
  throw new Error(`${encoding} secret was not refused`);
}

describe('a secret written in base64', () => {
  it.each([30, 31, 32])('reads %i bytes alike in either alphabet, padded or not', (length) => {
    const secret = secretOf(length);
    const padded = secret.toString('base64');
    const url = secret.toString('base64url');
    for (const written of [padded, padded.replace(/=+$/, ''), url, url + '='.repeat(padded.length - url.length)]) {
      expect(decodeSecretText(written, 'base64')).toEqual(secret);
    }
  });

  it('ignores the spaces and line breaks of a wrapped or spaced copy', () => {
    const secret = secretOf(48);
    const wrapped = ` ${secret.toString('base64').replace(/.{16}/g, '$&\n')}\r\n`;
    expect(decodeSecretText(wrapped, 'base64')).toEqual(secret);
  });

  it.each(['QUJDR', 'QUJDRA=', 'QUJDRA===', 'QUJD==', 'QU==='])('refuses %s, whose length or padding no bytes have', (written) => {
    expect(refusal(written, 'base64')).toMatch(/^the secret is not base64/);
  });

  it('says a lone character after the last four may mean the secret was cut short', () => {
    expect(refusal(secretOf(32).toString('base64url').slice(0, 41), 'base64')).toBe('the secret is not base64: its length is not that of any bytes (is it cut short?)');
  });

  it.each(['QUJD*A', 'QU+D_A', 'QUJDRA==E', 'é'])('refuses %j: a character of neither alphabet, the two mixed, or padding not at the end', (written) => {
    expect(refusal(written, 'base64')).toMatch(/^the secret is not base64/);
  });
});

describe('a secret written in hex', () => {
  it('reads either case, spaced or not', () => {
    const secret = secretOf(32);
    const hex = secret.toString('hex');
    expect(decodeSecretText(hex.toUpperCase(), 'hex')).toEqual(secret);
    expect(decodeSecretText(`${hex.replace(/../g, '$& ')}\n`, 'hex')).toEqual(secret);
  });

  it('refuses an odd number of digits, which no bytes have', () => {
    expect(refusal(secretOf(32).toString('hex').slice(1), 'hex')).toBe('the secret is not hex: an odd number of digits (is it cut short?)');
  });

  it('refuses what is not hex', () => {
    expect(refusal('not hex at all', 'hex')).toBe('the secret is not hex (pairs of 0-9, a-f)');
  });
});

describe('a secret written as text', () => {
  it('is its UTF-8 bytes, spaces around it included, as the CLI reads a line of a secret file', () => {
    expect(decodeSecretText('  portal sécret 42  ', 'text')).toEqual(Buffer.from('  portal sécret 42  ', 'utf8'));
  });

  it('leaves out a final line ending, which is not part of it', () => {
    expect(decodeSecretText('portal-secret\n', 'text')).toEqual(Buffer.from('portal-secret'));
    expect(decodeSecretText('portal-secret\r\n', 'text')).toEqual(Buffer.from('portal-secret'));
  });

  it('refuses more than one line', () => {
    expect(refusal('first-line\nsecond-line', 'text')).toBe('the secret is more than one line of text: give the secret alone');
  });
});
