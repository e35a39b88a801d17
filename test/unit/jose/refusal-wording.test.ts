import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeToken, encryptFor, signCompact, verifyCompact } from '../../../main/core/jose/index.ts';

// Refusals say what the user did and what to do instead: signing is not verification, and a signature
// or a token in a near-miss form (DER, wrapped across lines) is named as such.
const payload = new TextEncoder().encode('{"order":42}');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64url');

describe('signing with an algorithm the key does not take', () => {
  it('says what the key signs, not what it verifies', async () => {
    await expect(signCompact({ key: { type: 'ec', curve: 'P-256' }, privateKey: p256.privateKey, alg: 'ES384', payload, kid: 'ec1' })).rejects.toMatchObject({
      code: 'ERR_ALG_NOT_ALLOWED',
      message: 'this EC P-256 key cannot sign "ES384": it signs ES256',
    });
  });

  it('says an RSA key cannot sign HS256, without calling it key confusion with a public key', async () => {
    await expect(signCompact({ key: { type: 'rsa' }, privateKey: rsa.privateKey, alg: 'HS256', payload, kid: 'rsa1' })).rejects.toMatchObject({
      code: 'ERR_ALG_NOT_ALLOWED',
      message: 'this RSA key cannot sign "HS256": it signs RS256, RS384, RS512, PS256, PS384, PS512',
    });
  });
});

describe('an ES256 signature in DER form', () => {
  const header = b64(JSON.stringify({ alg: 'ES256', kid: 'ec1' }));
  const input = `${header}.${b64(Buffer.from(payload))}`;
  const verifyWith = (signature: Buffer) => verifyCompact(`${input}.${b64(signature)}`, { key: { type: 'ec', curve: 'P-256' }, publicKey: p256.publicKey });

  it('fails verification with a hint that JWS carries the raw R||S pair', async () => {
    const der = sign('sha256', Buffer.from(input), { key: p256.privateKey, dsaEncoding: 'der' });
    await expect(verifyWith(der)).rejects.toMatchObject({ code: 'ERR_VERIFY_FAILED', message: expect.stringContaining('DER-encoded') });
  });

  it('gets no such hint when the signature is raw but wrong', async () => {
    const raw = sign('sha256', Buffer.from(`${input}x`), { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });
    await expect(verifyWith(raw)).rejects.toMatchObject({ code: 'ERR_VERIFY_FAILED', message: 'signature verification failed' });
  });
});

describe('a token pasted with whitespace', () => {
  const token = `${b64(JSON.stringify({ alg: 'RS256' }))}.${b64('{"a":1}')}.${b64(Buffer.alloc(256, 7))}`;

  it('names the line breaks of a wrapped token', () => {
    const wrapped = token.replace(/(.{64})/g, '$1\n');
    expect(() => decodeToken(wrapped)).toThrow(expect.objectContaining({ code: 'ERR_JOSE_MALFORMED', message: expect.stringContaining('join wrapped lines') }));
  });

  it('names a "Bearer " prefix', () => {
    expect(() => decodeToken(`Bearer ${token}`)).toThrow(expect.objectContaining({ message: expect.stringContaining('drop a "Bearer " prefix') }));
  });
});

describe('encryptFor and the algorithm a JWK names', () => {
  it('refuses another algorithm than the one the JWK is for (RFC 7517 §4.4)', async () => {
    const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), alg: 'RSA-OAEP' };
    await expect(encryptFor(jwk, 'x', { alg: 'RSA-OAEP-256' })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED', message: 'this JWK is for RSA-OAEP only: RSA-OAEP-256 refused' });
  });
});
