import { describe, expect, it } from 'vitest';
import {
  allowedKeyManagementAlgs,
  allowedSigningAlgs,
  checkKeyManagementAlg,
  checkSigningAlg,
  defaultKeyManagementAlg,
} from '../../../main/core/jose/index.ts';

describe('signing allow-lists', () => {
  it('gives each key type its own algorithms', () => {
    expect(allowedSigningAlgs({ type: 'rsa' })).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(allowedSigningAlgs({ type: 'ec', curve: 'P-256' })).toEqual(['ES256']);
    expect(allowedSigningAlgs({ type: 'ec', curve: 'P-384' })).toEqual(['ES384']);
    expect(allowedSigningAlgs({ type: 'ec', curve: 'P-521' })).toEqual(['ES512']);
    expect(allowedSigningAlgs({ type: 'ed25519' })).toEqual(['EdDSA']);
    expect(allowedSigningAlgs({ type: 'hmac' })).toEqual(['HS256', 'HS384', 'HS512']);
    expect(allowedSigningAlgs({ type: 'x25519' })).toEqual([]);
  });

  it('names the attack for alg none, in any case', () => {
    expect(() => checkSigningAlg('nOnE', { type: 'rsa' })).toThrow(/alg none: unsigned token refused/);
  });

  it('names RS/HS key confusion for an HMAC alg with a public key', () => {
    expect(() => checkSigningAlg('HS256', { type: 'ec', curve: 'P-256' })).toThrow(/RS\/HS key confusion: an HMAC algorithm with a public key/);
  });

  it('names the fitting algorithms when the alg does not fit', () => {
    expect(() => checkSigningAlg('ES512', { type: 'ec', curve: 'P-256' })).toThrow(/verifies ES256$/);
    expect(() => checkSigningAlg('Ed25519', { type: 'ed25519' })).toThrow(/verifies EdDSA/);
  });

  it('refuses to sign with an X25519 key, saying why', () => {
    expect(() => checkSigningAlg('EdDSA', { type: 'x25519' })).toThrow(/X25519 keys only agree on keys/);
  });

  it('quotes attacker-controlled alg values, bounded', () => {
    expect(() => checkSigningAlg(`X${'"'.repeat(100)}`, { type: 'rsa' })).toThrow(/^alg "X(\\")+…" is not allowed/);
  });
});

describe('encryption allow-lists', () => {
  it('gives each key type its key-management algorithms', () => {
    expect(allowedKeyManagementAlgs('rsa', 'encrypt')).toEqual(['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512']);
    expect(allowedKeyManagementAlgs('x25519', 'encrypt')).toEqual(['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']);
    expect(allowedKeyManagementAlgs('hmac', 'decrypt')).not.toContain('PBES2-HS256+A128KW');
    expect(allowedKeyManagementAlgs('hmac', 'decrypt', { allowPbes2: true })).toContain('PBES2-HS256+A128KW');
    expect(allowedKeyManagementAlgs('hmac', 'encrypt', { allowPbes2: true })).not.toContain('PBES2-HS256+A128KW');
  });

  it('refuses RSA1_5 for new encryption', () => {
    expect(() => checkKeyManagementAlg('RSA1_5', 'rsa', 'encrypt')).toThrow(/RSA1_5 refused for new encryption/);
  });

  it('defaults to RSA-OAEP-256, ECDH-ES+A256KW and key wrap sized to the secret', () => {
    expect(defaultKeyManagementAlg('rsa')).toBe('RSA-OAEP-256');
    expect(defaultKeyManagementAlg('ec')).toBe('ECDH-ES+A256KW');
    expect(defaultKeyManagementAlg('x25519')).toBe('ECDH-ES+A256KW');
    expect(defaultKeyManagementAlg('hmac', 16)).toBe('A128KW');
    expect(() => defaultKeyManagementAlg('hmac', 20)).toThrow(/16, 24 or 32 bytes/);
    expect(() => defaultKeyManagementAlg('ed25519')).toThrow(/Ed25519 keys only sign/);
  });
});
