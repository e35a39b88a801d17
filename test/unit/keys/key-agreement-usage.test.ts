import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, createCsr, selfSignCertificate } from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, KEY_SPECS, keyNamed, Workspace } from './helpers.ts';

// RFC 5480 §3: an ECDH key's certificate says keyAgreement; digitalSignature would let it be taken for an ECDSA key.
const VALIDITY = { notBefore: new Date('2026-03-01T12:00:00Z'), notAfter: new Date('2028-03-01T12:00:00Z') };
let keys: Map<string, AsymmetricKey>;
const workspace = new Workspace();
beforeAll(async () => {
  keys = await generateAll(KEY_SPECS.filter(({ name }) => name === 'EC P-256' || name === 'RSA-2048' || name === 'X25519'));
});
afterAll(() => workspace.cleanup());

const KEY_USAGE = '2.5.29.15';
const usagesOf = (der: Buffer) => new x509.X509Certificate(der).getExtension(x509.KeyUsagesExtension)?.usages;

describe('the key usage of an encryption (ECDH) key\'s certificate', () => {
  it('is keyAgreement alone for an EC key marked "enc", as openssl reads it', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), use: 'enc', subject: 'CN=ecdh', ...VALIDITY });
    expect(usagesOf(der)).toBe(x509.KeyUsageFlags.keyAgreement);
    const dump = workspace.openssl(['x509', '-in', workspace.write('ecdh.crt', certificateToPem([der])), '-noout', '-text']);
    expect(dump).toMatch(/Key Usage: critical\s+Key Agreement\n/);
  });

  it('is asked for in the request of an EC key marked "enc"', async () => {
    const asked = new x509.Pkcs10CertificateRequest(await createCsr({ key: keyNamed(keys, 'EC P-256'), use: 'enc', subject: 'CN=ecdh' })).getExtension(KEY_USAGE);
    expect(asked instanceof x509.KeyUsagesExtension && asked.usages).toBe(x509.KeyUsageFlags.keyAgreement);
  });

  it('stays digitalSignature for an EC signing key, and keyEncipherment is kept for an RSA encryption key', async () => {
    expect(usagesOf(await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), use: 'sig', subject: 'CN=ecdsa', ...VALIDITY }))).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(usagesOf(await selfSignCertificate({ key: keyNamed(keys, 'RSA-2048'), use: 'enc', subject: 'CN=rsa', ...VALIDITY })))
      .toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  });

  it('refuses a signing profile for an EC key marked "enc": it does not sign', () =>
    expectSignetError(createCsr({ key: keyNamed(keys, 'EC P-256'), use: 'enc', subject: 'CN=ecdh', keyUsage: 'signing' }), 'ERR_BAD_INPUT', /an encryption \(ECDH\) key does not sign/));

  it('is never made for an X25519 key, which cannot sign its own certificate or request', async () => {
    await expectSignetError(selfSignCertificate({ key: keyNamed(keys, 'X25519'), use: 'enc', subject: 'CN=x', ...VALIDITY }), 'ERR_KEY_UNSUITABLE', /cannot sign/);
    await expectSignetError(createCsr({ key: keyNamed(keys, 'X25519'), use: 'enc', subject: 'CN=x' }), 'ERR_KEY_UNSUITABLE', /cannot sign/);
  });
});
