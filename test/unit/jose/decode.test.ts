import { describe, expect, it } from 'vitest';
import { decodeToken, looksLikeJwe, looksLikeJws } from '../../../main/core/jose/index.ts';
import { HS256, JWS_PAYLOAD, RSA_OAEP, UNENCODED } from './rfc7520-vectors.ts';

const segment = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('decodeToken', () => {
  it('decodes a JWS: header, text payload, signature and parts', () => {
    const decoded = decodeToken(HS256.compact);
    expect(decoded.kind).toBe('jws');
    expect(decoded.header).toEqual({ alg: 'HS256', kid: '018c0ae5-4d9b-471b-bfd6-eef314bc7037' });
    expect(decoded.payload).toEqual({ form: 'text', value: JWS_PAYLOAD });
    expect(decoded.signature).toBe('s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0');
    expect(decoded.parts).toHaveLength(3);
  });

  it('decodes a JWT payload as JSON', () => {
    const token = `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment({ sub: 'm-1', exp: 1 })}.c2ln`;
    expect(decodeToken(token).payload).toEqual({ form: 'json', value: { sub: 'm-1', exp: 1 } });
  });

  it('shows a binary payload as base64', () => {
    const token = `${segment({ alg: 'HS256' })}.${Buffer.from([0, 1, 2, 255]).toString('base64url')}.c2ln`;
    expect(decodeToken(token).payload).toEqual({ form: 'bytes', base64: 'AAEC/w==' });
  });

  it('recognises a detached JWS and an unencoded payload', () => {
    expect(decodeToken(UNENCODED.compact)).toMatchObject({ kind: 'jws-detached', header: { b64: false } });
    const attached = UNENCODED.compact.replace('..', '.$02.');
    expect(decodeToken(attached).payload).toEqual({ form: 'text', value: '$02' });
  });

  it('decodes a JWE header without a key', () => {
    const decoded = decodeToken(`  ${RSA_OAEP.compact}\n`);
    expect(decoded.kind).toBe('jwe');
    expect(decoded.header).toEqual({ alg: 'RSA-OAEP', kid: 'samwise.gamgee@hobbiton.example', enc: 'A256GCM' });
    expect(decoded.payload).toBeUndefined();
    expect(decoded.parts).toHaveLength(5);
  });

  it.each([
    ['plain text', 'hello world'],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.e30'],
    ['a header that is not JSON', `${segment('not json')}.e30.c2ln`],
    ['a header that is an array', `${segment([1])}.e30.c2ln`],
    ['a missing signature', `${segment({ alg: 'HS256' })}.e30.`],
    ['characters outside base64url', `${segment({ alg: 'HS256' })}.e30+.c2ln`],
    ['a JWE header without enc', `${segment({ alg: 'dir' })}..AA.AA.AA`],
  ])('refuses %s as malformed', (_name, text) => {
    expect(() => decodeToken(text)).toThrow(expect.objectContaining({ code: 'ERR_JOSE_MALFORMED' }));
  });

  it('refuses a token over the size bound', () => {
    expect(() => decodeToken(HS256.compact, { maxChars: 100 })).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
  });
});

describe('cheap detectors', () => {
  it('tells JWS from JWE from other text', () => {
    expect(looksLikeJws(HS256.compact)).toBe(true);
    expect(looksLikeJws(UNENCODED.compact)).toBe(true);
    expect(looksLikeJwe(HS256.compact)).toBe(false);
    expect(looksLikeJwe(RSA_OAEP.compact)).toBe(true);
    expect(looksLikeJws(RSA_OAEP.compact)).toBe(false);
    for (const other of ['', 'hello.world.again', '{"alg":"HS256"}', 'Bearer abc.def.ghi']) {
      expect(looksLikeJws(other)).toBe(false);
      expect(looksLikeJwe(other)).toBe(false);
    }
  });
});
