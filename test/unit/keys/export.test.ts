import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateToPem,
  exportJwks,
  exportPrivateKey,
  exportPublicKey,
  exportSecretJwk,
  generateSecret,
  jwkThumbprint,
  parseKeyFile,
  selfSignCertificate,
  type PublicFormat,
} from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, KEY_SPECS, keyNamed } from './helpers.ts';

const FORMATS: PublicFormat[] = ['pem', 'der', 'jwk'];
let keys: Map<string, AsymmetricKey>;

beforeAll(async () => {
  keys = await generateAll();
});

describe.each(KEY_SPECS)('$name round trips', ({ name }) => {
  it.each(FORMATS)('reads back its public key exported as %s', async (format) => {
    const key = keyNamed(keys, name);
    const parsed = await parseKeyFile(exportPublicKey(key.publicKey, format, { kid: 'k1' }));
    expect(parsed.keys).toHaveLength(1);
    const [read] = parsed.keys;
    expect(read?.publicKey.equals(key.publicKey)).toBe(true);
    expect(read?.privateKey).toBeUndefined();
    expect(read?.type).toBe(key.type);
    expect(read?.curve).toBe(key.curve);
    expect(read?.size).toBe(key.size);
    expect(jwkThumbprint(read?.publicKey ?? key.publicKey)).toBe(jwkThumbprint(key.publicKey));
  });

  it.each(FORMATS)('reads back its private key exported as %s', async (format) => {
    const key = keyNamed(keys, name);
    const parsed = await parseKeyFile(exportPrivateKey(key.privateKey, format, { kid: 'k1' }));
    const [read] = parsed.keys;
    expect(read?.privateKey?.equals(key.privateKey)).toBe(true);
    expect(read?.publicKey.equals(key.publicKey)).toBe(true);
    expect(jwkThumbprint(read?.publicKey ?? key.publicKey)).toBe(jwkThumbprint(key.publicKey));
  });

  it('keeps kid, alg and use through a JWK', async () => {
    const key = keyNamed(keys, name);
    const parsed = await parseKeyFile(exportPublicKey(key.publicKey, 'jwk', { kid: 'merchant-1', alg: 'X', use: 'sig' }));
    expect(parsed.format).toBe('jwk');
    expect(parsed.keys[0]).toMatchObject({ kid: 'merchant-1', alg: 'X', use: 'sig' });
  });
});

describe('public exports', () => {
  it('never writes private members, even when handed a private key', () => {
    const key = keyNamed(keys, 'RSA-2048');
    const jwk = JSON.parse(exportPublicKey(key.privateKey, 'jwk', { kid: 'k' }).toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(jwk).sort()).toEqual(['e', 'kid', 'kty', 'n']);
    expect(exportPublicKey(key.privateKey, 'pem', { kid: 'k' }).toString('utf8')).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('writes pem and jwk as text and der as raw bytes', () => {
    const key = keyNamed(keys, 'EC P-256');
    expect(exportPublicKey(key.publicKey, 'pem', { kid: 'k' }).toString('utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(JSON.parse(exportPublicKey(key.publicKey, 'jwk', { kid: 'k' }).toString('utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k' });
    expect(exportPublicKey(key.publicKey, 'der', { kid: 'k' })[0]).toBe(0x30);
  });

  it('writes a JWKS holding every key with its kid, alg and use', async () => {
    const entries = KEY_SPECS.map(({ name }, index) => ({ publicKey: keyNamed(keys, name).publicKey, kid: `key-${index}`, use: 'sig' as const, alg: `A${index}` }));
    const parsed = await parseKeyFile(exportJwks(entries));
    expect(parsed.format).toBe('jwks');
    expect(parsed.keys.map((key) => [key.kid, key.use, key.alg])).toEqual(entries.map((entry) => [entry.kid, 'sig', entry.alg]));
    parsed.keys.forEach((key, index) => expect(key.publicKey.equals(entries[index]?.publicKey ?? key.publicKey)).toBe(true));
  });

  it('refuses an empty kid', () => {
    return expectSignetError(() => exportPublicKey(keyNamed(keys, 'Ed25519').publicKey, 'jwk', { kid: '' }), 'ERR_BAD_INPUT');
  });
});

describe('private exports', () => {
  it('writes PKCS#8 PEM', () => {
    const pem = exportPrivateKey(keyNamed(keys, 'EC P-384').privateKey, 'pem', { kid: 'k' }).toString('utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('refuses a key without its private half', () => {
    return expectSignetError(() => exportPrivateKey(keyNamed(keys, 'EC P-384').publicKey, 'pem', { kid: 'k' }), 'ERR_KEY_NO_PRIVATE');
  });
});

describe('secrets', () => {
  it('round-trips an HMAC secret through an oct JWK into secrets', async () => {
    const secret = generateSecret();
    const parsed = await parseKeyFile(exportSecretJwk(secret, { kid: 'app-1', alg: 'HS256' }));
    expect(parsed.keys).toHaveLength(0);
    expect(parsed.secrets).toHaveLength(1);
    expect(parsed.secrets[0]?.secret.equals(secret)).toBe(true);
    expect(parsed.secrets[0]).toMatchObject({ kid: 'app-1', alg: 'HS256' });
  });
});

describe('certificate PEM', () => {
  it('writes one CERTIFICATE block per certificate, in order, that read back as the same key', async () => {
    const key = keyNamed(keys, 'Ed25519');
    const dates = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') };
    const first = await selfSignCertificate({ key, subject: 'CN=first', ...dates });
    const second = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=second', ...dates });
    const pem = certificateToPem([first, second]).toString('utf8');
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    const parsed = await parseKeyFile(Buffer.from(pem));
    expect(parsed.keys.map((read) => read.certificates[0]?.equals(first) ?? false)).toContain(true);
    expect(parsed.keys).toHaveLength(2);
  });

  it('refuses an empty list', () => {
    return expectSignetError(() => certificateToPem([]), 'ERR_BAD_INPUT');
  });
});
