import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeToken, decryptCompact, verifyCompact } from '../../../main/core/jose/index.ts';
import { decoder, encoder } from './test-keys.ts';
import {
  A128KW,
  A256GCMKW,
  DIR_A128GCM,
  ECDH_ES,
  ECDH_ES_A128KW,
  ES512,
  HS256,
  JWE_PLAINTEXT,
  JWS_PAYLOAD,
  PBES2,
  PS384_COMPACT,
  RS256,
  RSA1_5_COMPACT,
  RSA_OAEP,
  UNENCODED,
  ZIP_COMPACT,
} from './rfc7520-vectors.ts';

const secret = (k: string) => Buffer.from(k, 'base64url');
const publicKey = (jwk: JsonWebKey) => createPublicKey({ key: jwk, format: 'jwk' });
const privateKey = (jwk: JsonWebKey) => createPrivateKey({ key: jwk, format: 'jwk' });

describe('RFC 7520 §4 signatures verify', () => {
  it('§4.1 RSA v1.5 signature (RS256)', async () => {
    const verified = await verifyCompact(RS256.compact, { key: { type: 'rsa' }, publicKey: publicKey(RS256.publicJwk) });
    expect(verified.header).toEqual({ alg: 'RS256', kid: 'bilbo.baggins@hobbiton.example' });
    expect(decoder.decode(verified.payload)).toBe(JWS_PAYLOAD);
  });

  it('§4.2 RSA-PSS signature (PS384)', async () => {
    const verified = await verifyCompact(PS384_COMPACT, { key: { type: 'rsa' }, publicKey: publicKey(RS256.publicJwk) });
    expect(verified.alg).toBe('PS384');
    expect(decoder.decode(verified.payload)).toBe(JWS_PAYLOAD);
  });

  it('§4.3 ECDSA signature (ES512, P-521)', async () => {
    const verified = await verifyCompact(ES512.compact, { key: { type: 'ec', curve: 'P-521' }, publicKey: publicKey(ES512.publicJwk) });
    expect(decoder.decode(verified.payload)).toBe(JWS_PAYLOAD);
  });

  it('§4.4 HMAC-SHA2 integrity protection (HS256)', async () => {
    const verified = await verifyCompact(HS256.compact, { key: { type: 'hmac' }, secret: secret(HS256.k) });
    expect(decoder.decode(verified.payload)).toBe(JWS_PAYLOAD);
  });

  it('§4.4 fails under another secret', async () => {
    await expect(verifyCompact(HS256.compact, { key: { type: 'hmac' }, secret: secret(UNENCODED.k) })).rejects.toMatchObject({ code: 'ERR_VERIFY_FAILED' });
  });

  it('RFC 7797 §4.2 unencoded detached payload (b64 false)', async () => {
    const verified = await verifyCompact(UNENCODED.compact, { key: { type: 'hmac' }, secret: secret(UNENCODED.k), payload: encoder.encode(UNENCODED.payload) });
    expect(verified.header).toEqual({ alg: 'HS256', b64: false, crit: ['b64'] });
  });
});

describe('RFC 7520 §5 encryptions decrypt', () => {
  it('§5.2 RSA-OAEP with A256GCM (4096-bit key)', async () => {
    const decrypted = await decryptCompact(RSA_OAEP.compact, { keyType: 'rsa', privateKey: privateKey(RSA_OAEP.privateJwk) });
    expect(decrypted).toMatchObject({ alg: 'RSA-OAEP', enc: 'A256GCM' });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.3 PBES2-HS512+A256KW with A128CBC-HS256, when PBES2 is allowed', async () => {
    const options = { keyType: 'hmac' as const, secret: Buffer.from(PBES2.password, 'utf8') };
    await expect(decryptCompact(PBES2.compact, options)).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
    const decrypted = await decryptCompact(PBES2.compact, { ...options, allowPbes2: true });
    expect(decrypted.header.cty).toBe('jwk-set+json');
    expect(decoder.decode(decrypted.plaintext)).toBe(PBES2.plaintext);
  });

  it('§5.4 ECDH-ES+A128KW (P-384) with A128GCM', async () => {
    const decrypted = await decryptCompact(ECDH_ES_A128KW.compact, { keyType: 'ec', privateKey: privateKey(ECDH_ES_A128KW.privateJwk) });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.5 ECDH-ES (P-256) with A128CBC-HS256', async () => {
    const decrypted = await decryptCompact(ECDH_ES.compact, { keyType: 'ec', privateKey: privateKey(ECDH_ES.privateJwk) });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.6 direct encryption with A128GCM', async () => {
    const decrypted = await decryptCompact(DIR_A128GCM.compact, { keyType: 'hmac', secret: secret(DIR_A128GCM.k) });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.7 A256GCMKW with A128CBC-HS256', async () => {
    const decrypted = await decryptCompact(A256GCMKW.compact, { keyType: 'hmac', secret: secret(A256GCMKW.k) });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.8 A128KW with A128GCM', async () => {
    const decrypted = await decryptCompact(A128KW.compact, { keyType: 'hmac', secret: secret(A128KW.k) });
    expect(decoder.decode(decrypted.plaintext)).toBe(JWE_PLAINTEXT);
  });

  it('§5.1 RSA1_5 is refused with the reason (Node no longer does PKCS#1 v1.5 decryption)', async () => {
    const anyRsaKey = privateKey(RSA_OAEP.privateJwk);
    await expect(decryptCompact(RSA1_5_COMPACT, { keyType: 'rsa', privateKey: anyRsaKey })).rejects.toMatchObject({
      code: 'ERR_JOSE_UNSUPPORTED',
      message: /RSA1_5.*Marvin/,
    });
    expect(decodeToken(RSA1_5_COMPACT).header).toMatchObject({ alg: 'RSA1_5', enc: 'A128CBC-HS256' });
  });

  it('§5.9 compressed content is refused: decompression bombs', async () => {
    await expect(decryptCompact(ZIP_COMPACT, { keyType: 'hmac', secret: secret(A128KW.k) })).rejects.toMatchObject({
      code: 'ERR_JOSE_UNSUPPORTED',
      message: /compressed JWE refused: decompression bombs/,
    });
  });
});
