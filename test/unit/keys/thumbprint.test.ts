import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, KEY_SPECS, keyNamed } from './helpers.ts';

// RFC 7638 §3.1: the example key and its SHA-256 thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

let keys: Map<string, AsymmetricKey>;

beforeAll(async () => {
  keys = await generateAll();
});

describe('JWK thumbprints (RFC 7638)', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    expect(jwkThumbprint(createPublicKey({ key: RFC7638_KEY, format: 'jwk' }))).toBe(RFC7638_THUMBPRINT);
  });

  it.each(KEY_SPECS)('agrees with jose for $name', async ({ name }) => {
    const key = keyNamed(keys, name);
    const jwk = key.publicKey.export({ format: 'jwk' }) as JWK;
    expect(jwkThumbprint(key.publicKey)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('gives a private key the thumbprint of its public half', () => {
    const key = keyNamed(keys, 'EC P-256');
    expect(jwkThumbprint(key.privateKey)).toBe(jwkThumbprint(key.publicKey));
  });

  it('agrees with jose for an oct secret', async () => {
    const secret = createSecretKey(Buffer.alloc(32, 7));
    const jwk = secret.export({ format: 'jwk' }) as JWK;
    expect(jwkThumbprint(secret)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('is 43 base64url characters (256 bits)', () => {
    expect(jwkThumbprint(keyNamed(keys, 'Ed25519').publicKey)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a key type with no JWK form', async () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    await expectSignetError(() => jwkThumbprint(dsa.publicKey), 'ERR_KEY_FORMAT');
  });
});
