import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateMatchesKey,
  certificatePublicKey,
  certificateToPem,
  createCsr,
  csrToPem,
  describeCertificate,
  selfSignCertificate,
} from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, keyNamed, SIGNING_SPECS, Workspace } from './helpers.ts';

const VALIDITY = { notBefore: new Date('2026-03-01T12:00:00Z'), notAfter: new Date('2028-03-01T12:00:00Z') };
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  'RSA-2048': 'sha256WithRSAEncryption',
  'EC P-256': 'ecdsa-with-SHA256',
  'EC P-384': 'ecdsa-with-SHA384',
  'EC P-521': 'ecdsa-with-SHA512',
  Ed25519: 'ED25519',
};

let keys: Map<string, AsymmetricKey>;
const workspace = new Workspace();

beforeAll(async () => {
  keys = await generateAll();
});
afterAll(() => workspace.cleanup());

describe.each(SIGNING_SPECS)('$name certificates', ({ name }) => {
  it('self-signs a certificate openssl reads, with the expected signature algorithm', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, name), subject: 'CN=Merchant One,O=Example', sans: ['api.example.com'], ...VALIDITY });
    const file = workspace.write(`${name}.crt`, certificateToPem([der]));
    const dump = workspace.openssl(['x509', '-in', file, '-noout', '-text']);
    expect(dump).toContain(`Signature Algorithm: ${SIGNATURE_ALGORITHMS[name]}`);
    expect(dump).toContain('DNS:api.example.com');
    // The certificate verifies under its own key (-partial_chain accepts the self-signed leaf as trust anchor).
    expect(workspace.openssl(['verify', '-partial_chain', '-CAfile', file, '-purpose', 'sslclient', file])).toContain('OK');
  });

  it('makes a CSR that openssl verifies', async () => {
    const csr = await createCsr({ key: keyNamed(keys, name), subject: 'CN=Merchant One,O=Example', sans: ['dns:api.example.com', 'email:ops@example.com'] });
    const file = workspace.write(`${name}.csr`, csrToPem(csr));
    workspace.openssl(['req', '-in', file, '-verify', '-noout']);
    const dump = workspace.openssl(['req', '-in', file, '-noout', '-text', '-nameopt', 'RFC2253']);
    expect(dump).toContain('Subject: CN=Merchant One,O=Example');
    expect(dump).toContain('email:ops@example.com');
  });
});

describe('certificate contents', () => {
  it('marks a client certificate for TLS client authentication, with keyEncipherment for RSA', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'RSA-2048'), subject: 'CN=client', ...VALIDITY });
    const dump = workspace.openssl(['x509', '-in', workspace.write('client.crt', certificateToPem([der])), '-noout', '-text']);
    expect(dump).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(dump).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(dump).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
  });

  it('marks a server certificate for TLS server authentication', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=server', keyUsage: 'server', ...VALIDITY });
    const dump = workspace.openssl(['x509', '-in', workspace.write('server.crt', certificateToPem([der])), '-noout', '-text']);
    expect(dump).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(dump).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
  });

  it('gives a signing certificate non-repudiation and no extended usage', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'Ed25519'), subject: 'CN=signing', keyUsage: 'signing', ...VALIDITY });
    const dump = workspace.openssl(['x509', '-in', workspace.write('signing.crt', certificateToPem([der])), '-noout', '-text']);
    expect(dump).toContain('Digital Signature, Non Repudiation');
    expect(dump).not.toContain('Extended Key Usage');
  });

  it('uses a random positive 16-byte serial', async () => {
    const key = keyNamed(keys, 'EC P-256');
    const first = describeCertificate(await selfSignCertificate({ key, subject: 'CN=a', ...VALIDITY }));
    const second = describeCertificate(await selfSignCertificate({ key, subject: 'CN=a', ...VALIDITY }));
    expect(first.serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(first.serial).not.toBe(second.serial);
  });

  it('uses the serial it is given', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a', serial: '0a:ff:01', ...VALIDITY });
    expect(describeCertificate(der).serial).toBe('0AFF01');
  });

  it('asks in a CSR for the key usage, extended key usage and alternative names of the profile', async () => {
    const csr = await createCsr({ key: keyNamed(keys, 'Ed25519'), subject: 'CN=server', keyUsage: 'server', sans: ['api.example.com'] });
    const dump = workspace.openssl(['req', '-in', workspace.write('server.csr', csrToPem(csr)), '-noout', '-text']);
    expect(dump).toMatch(/Requested Extensions:\s+X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(dump).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(dump).toContain('DNS:api.example.com');
  });

  it('identifies the key by the RFC 7093 method 1 identifier, as subject and authority key identifier', async () => {
    const key = keyNamed(keys, 'Ed25519');
    const der = await selfSignCertificate({ key, subject: 'CN=keyid', ...VALIDITY });
    // An Ed25519 SPKI is a 12-byte header followed by the 32 key bytes (RFC 8410 §4).
    const keyBits = key.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const expected = createHash('sha256').update(keyBits).digest().subarray(0, 20).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
    const dump = workspace.openssl(['x509', '-in', workspace.write('keyid.crt', certificateToPem([der])), '-noout', '-ext', 'subjectKeyIdentifier,authorityKeyIdentifier']);
    expect(dump).toMatch(new RegExp(`Subject Key Identifier:\\s+${expected}`));
    expect(dump).toMatch(new RegExp(`Authority Key Identifier:\\s+(keyid:)?${expected}`));
  });

  it('encodes C and serialNumber as PrintableString, DC and emailAddress as IA5String, the rest as UTF8String', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a,C=NL,serialNumber=12,DC=example,emailAddress=a@example.com', ...VALIDITY });
    const file = workspace.write('types.crt', certificateToPem([der]));
    expect(workspace.openssl(['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253,show_type']).trim()).toBe(
      'subject=CN=UTF8STRING:a,C=PRINTABLESTRING:NL,serialNumber=PRINTABLESTRING:12,DC=IA5STRING:example,emailAddress=IA5STRING:a@example.com',
    );
  });

  it('encodes an IPv4-mapped IPv6 address exactly', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=mapped', sans: ['ip:::ffff:192.0.2.1'], ...VALIDITY });
    expect(workspace.openssl(['x509', '-in', workspace.write('mapped.crt', certificateToPem([der])), '-noout', '-ext', 'subjectAltName'])).toContain('IP Address:0:0:0:0:0:FFFF:C000:201');
    expect(describeCertificate(der).subjectAltNames).toEqual(['ip:::ffff:c000:201']);
  });

  it('writes validity in whole seconds, as RFC 5280 §4.1.2.5 requires', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a', notBefore: new Date('2026-03-01T12:00:00.999Z'), notAfter: new Date('2051-06-30T23:59:59.500Z') });
    expect(describeCertificate(der)).toMatchObject({ notBefore: '2026-03-01T12:00:00.000Z', notAfter: '2051-06-30T23:59:59.000Z' });
  });

  it('writes validity after 2049 as GeneralizedTime that openssl reads', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=long', notBefore: VALIDITY.notBefore, notAfter: new Date('2051-06-30T23:59:59Z') });
    expect(describeCertificate(der).notAfter).toBe('2051-06-30T23:59:59.000Z');
    expect(workspace.openssl(['x509', '-in', workspace.write('long.crt', certificateToPem([der])), '-noout', '-enddate'])).toContain('Jun 30 23:59:59 2051 GMT');
  });
});

describe('describeCertificate', () => {
  it('describes subject, issuer, serial, validity, fingerprint and SANs as openssl does', async () => {
    const der = await selfSignCertificate({
      key: keyNamed(keys, 'RSA-2048'),
      subject: 'CN=Alice\\, Ops,OU=Payments,O=Example B.V.,C=NL',
      sans: ['api.example.com', 'ip:192.0.2.7', 'ip:2001:db8::7', 'email:alice@example.com', 'uri:https://example.com/alice'],
      ...VALIDITY,
    });
    const file = workspace.write('described.crt', certificateToPem([der]));
    const info = describeCertificate(der);
    const opensslSubject = workspace.openssl(['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']).trim();
    const fingerprint = workspace.openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256']).trim();
    const serial = workspace.openssl(['x509', '-in', file, '-noout', '-serial']).trim();
    expect(`subject=${info.subject}`).toBe(opensslSubject);
    expect(info.issuer).toBe(info.subject);
    expect(`sha256 Fingerprint=${info.sha256}`).toBe(fingerprint);
    expect(`serial=${info.serial}`).toBe(serial);
    expect(info).toMatchObject({
      notBefore: '2026-03-01T12:00:00.000Z',
      notAfter: '2028-03-01T12:00:00.000Z',
      selfSigned: true,
      subjectAltNames: ['dns:api.example.com', 'ip:192.0.2.7', 'ip:2001:db8::7', 'email:alice@example.com', 'uri:https://example.com/alice'],
    });
  });

  it('reads back escaped and multi-valued subjects as written', async () => {
    // Within one RDN the attributes follow DER's SET OF order, which is why UID comes first here.
    const subject = 'UID=ab+CN=Alice\\+Bob\\\\,O=\\#hash \\<tag\\>,DC=example';
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject, ...VALIDITY });
    expect(describeCertificate(der).subject).toBe(subject);
    workspace.openssl(['x509', '-in', workspace.write('escaped.crt', certificateToPem([der])), '-noout', '-subject']);
  });

  it('reads a certificate made by openssl, subject most specific first', () => {
    workspace.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'o.key', '-out', 'o.crt', '-subj', '/C=NL/O=Example/CN=openssl made', '-days', '30']);
    workspace.openssl(['x509', '-in', 'o.crt', '-outform', 'DER', '-out', 'o.der']);
    const info = describeCertificate(workspace.read('o.der'));
    expect(info.subject).toBe('CN=openssl made,O=Example,C=NL');
    expect(info.selfSigned).toBe(true);
  });

  it('orders the attributes of a multi-valued RDN as DER does, as openssl does, however they are written', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'UID=ab+CN=Alice,O=Example', ...VALIDITY });
    expect(describeCertificate(der).subject).toBe('CN=Alice+UID=ab,O=Example');
    workspace.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'rdn.key', '-out', 'rdn.crt', '-multivalue-rdn', '-subj', '/O=Example/UID=ab+CN=Alice', '-days', '3']);
    const printed = (file: string) => workspace.openssl(['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']);
    expect(printed(workspace.write('ours-rdn.crt', certificateToPem([der])))).toBe(printed('rdn.crt'));
  });

  it('shows a NUL in a subject escaped, so a name cannot pass for a shorter one', async () => {
    // Made with the library directly: Signet refuses to write a control character into a name.
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: new x509.Name([{ '2.5.4.3': [{ utf8String: 'bank.example\0.evil.example' }] }]),
      keys: await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      ...VALIDITY,
    });
    expect(describeCertificate(Buffer.from(certificate.rawData)).subject).toBe('CN=bank.example\\00.evil.example');
  });

  it('reads directory names among the alternative names most specific first, and skips kinds it does not show', () => {
    workspace.write('dirname.cnf', '[req]\ndistinguished_name=dn\n[dn]\n[directory]\nC=NL\nO=Example\nCN=dir\n');
    const san = 'subjectAltName=otherName:1.2.3.4;UTF8:hidden,DNS:x.example,dirName:directory';
    workspace.openssl(['req', '-x509', '-config', 'dirname.cnf', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'dir.key', '-out', 'dir.crt', '-subj', '/CN=dir', '-days', '3', '-addext', san]);
    workspace.openssl(['x509', '-in', 'dir.crt', '-outform', 'DER', '-out', 'dir.der']);
    expect(describeCertificate(workspace.read('dir.der')).subjectAltNames).toEqual(['dns:x.example', 'dirName:CN=dir,O=Example,C=NL']);
  });

  it('refuses bytes that are not a certificate', () => expectSignetError(() => describeCertificate(Buffer.from('nope')), 'ERR_CERT'));
});

describe('certificate and key matching', () => {
  it('tells whether a certificate holds a key', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-384'), subject: 'CN=m', ...VALIDITY });
    expect(certificateMatchesKey(der, keyNamed(keys, 'EC P-384').publicKey)).toBe(true);
    expect(certificateMatchesKey(der, keyNamed(keys, 'EC P-256').publicKey)).toBe(false);
    expect(certificatePublicKey(der).equals(keyNamed(keys, 'EC P-384').publicKey)).toBe(true);
  });

  it('leaves nothing behind, after a key of another type, that stops a private key being read next', async () => {
    const der = await selfSignCertificate({ key: keyNamed(keys, 'EC P-384'), subject: 'CN=m', ...VALIDITY });
    const ed25519 = keyNamed(keys, 'Ed25519');
    expect(certificateMatchesKey(der, ed25519.publicKey)).toBe(false);
    expect(() => createPrivateKey({ key: ed25519.privateKey.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' })).not.toThrow();
  });

  it('still signs after Node compared keys of different types (which leaves an OpenSSL error queued)', async () => {
    const ed25519 = keyNamed(keys, 'Ed25519');
    expect(keyNamed(keys, 'EC P-384').publicKey.equals(ed25519.publicKey)).toBe(false);
    const der = await selfSignCertificate({ key: ed25519, subject: 'CN=after', ...VALIDITY });
    expect(describeCertificate(der).selfSigned).toBe(true);
    expect(keyNamed(keys, 'EC P-384').publicKey.equals(ed25519.publicKey)).toBe(false);
    await createCsr({ key: ed25519, subject: 'CN=after' });
  });
});

describe('refusals', () => {
  it('refuses to sign with an X25519 key, saying why', () =>
    expectSignetError(selfSignCertificate({ key: keyNamed(keys, 'X25519'), subject: 'CN=x', ...VALIDITY }), 'ERR_KEY_UNSUITABLE', /cannot sign/));

  it('refuses a CSR for an X25519 key', () => expectSignetError(createCsr({ key: keyNamed(keys, 'X25519'), subject: 'CN=x' }), 'ERR_KEY_UNSUITABLE'));

  it('refuses a key without its private half', async () => {
    const { publicKey, type } = keyNamed(keys, 'Ed25519');
    await expectSignetError(selfSignCertificate({ key: { publicKey, type }, subject: 'CN=x', ...VALIDITY }), 'ERR_KEY_NO_PRIVATE');
    await expectSignetError(createCsr({ key: { publicKey, type }, subject: 'CN=x' }), 'ERR_KEY_NO_PRIVATE');
  });

  it.each([
    ['an empty subject', ''],
    ['a subject without "="', 'Alice'],
    ['an unknown attribute', 'XX=1'],
    ['an empty value', 'CN=,O=x'],
    ['a country that is not two letters', 'CN=a,C=Netherlands'],
    ['a trailing separator', 'CN=a,'],
    ['a bad escape', 'CN=a\\q'],
    ['the same attribute twice in one RDN', 'CN=a+CN=b'],
  ])('refuses %s', (_label, subject) => expectSignetError(createCsr({ key: keyNamed(keys, 'EC P-256'), subject }), 'ERR_BAD_INPUT', /invalid subject/));

  it.each([['dns:not a name'], ['ip:300.1.1.1'], ['ip:1::2::3'], ['email:nobody'], ['uri:relative/path']])('refuses the alternative name %s', (san) =>
    expectSignetError(createCsr({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a', sans: [san] }), 'ERR_BAD_INPUT', /alternative name/));

  it('refuses a validity date before 1950, which UTCTime would read back a century later', () =>
    expectSignetError(
      selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a', notBefore: new Date('1940-01-01T00:00:00Z'), notAfter: VALIDITY.notAfter }),
      'ERR_BAD_INPUT',
      /1950/,
    ));

  it('refuses a validity that ends before it starts', () =>
    expectSignetError(
      selfSignCertificate({ key: keyNamed(keys, 'EC P-256'), subject: 'CN=a', notBefore: VALIDITY.notAfter, notAfter: VALIDITY.notBefore }),
      'ERR_BAD_INPUT',
    ));
});

