import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../main/services/audit.ts';
import { certificateRequest, exportKey, selfSign } from '../../../main/services/key-export.ts';
import { renewKey, revokeKey } from '../../../main/services/key-status.ts';
import { listKeys } from '../../../main/services/key-views.ts';
import { generateKey, importKeys, showKey } from '../../../main/services/keys.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { OpensslCa } from './openssl-ca.ts';

let store: TempStore;
let ca: OpensslCa;
const clock = manualClock('2026-03-01T10:00:00Z');
const YEAR = { from: '2026-03-01T00:00:00Z', to: '2027-03-01T00:00:00Z' };
beforeAll(() => {
  ca = new OpensslCa();
});
afterAll(() => ca.cleanup());
beforeEach(async () => {
  clock.set('2026-03-01T10:00:00Z');
  store = await tempStore({ clock });
});
afterEach(() => store.cleanup());

async function requestFor(ref: string): Promise<Buffer> {
  return Buffer.from((await certificateRequest(store.session, { ref, subject: 'CN=client.acme.test,O=Acme' })).contentBase64, 'base64');
}

async function keyWithIssuedCertificate(validity = YEAR, spec: Parameters<typeof generateKey>[1] = { type: 'ec', certificate: { subject: 'CN=client.acme.test' } }) {
  const key = await generateKey(store.session, spec);
  return { key, issued: ca.issue(await requestFor(key.id), validity) };
}

// The CSR → CA → install flow of two-way TLS (partner 001): the CA's certificate goes onto the key that asked for it.
describe('importing a certificate issued for a held key', () => {
  it('attaches it to that key, which keeps its id and history, instead of refusing the kid', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    const [attached] = await importKeys(store.session, { content: issued });
    expect(attached).toMatchObject({ id: key.id, kid: key.kid, hasPrivate: true, status: 'active' });
    expect(attached?.certificate).toMatchObject({ subject: 'O=Acme,CN=client.acme.test', issuer: 'CN=Test CA', selfSigned: false });
    expect(await listKeys(store.session)).toHaveLength(1);
    expect(showKey(store.session, key.id).audit.map((entry) => entry.action)).toEqual(['key.certificate-added', 'key.csr-created', 'key.created']);
    expect(verifyAudit(store.session)).toMatchObject({ ok: true });
  });

  it('records the certificate it replaced in the audit log', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await importKeys(store.session, { content: issued });
    expect(store.session.audit.list({ keyId: key.id })[0]?.detail).toMatchObject({
      issuer: 'CN=Test CA',
      replaced: { subject: 'CN=client.acme.test', issuer: 'CN=client.acme.test', serial: key.certificate?.serial },
    });
  });

  it('attaches the CA chain given with it, leaf first or last', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await importKeys(store.session, { content: Buffer.concat([ca.certificatePem, issued]) });
    expect(showKey(store.session, key.id).chain.map((certificate) => certificate.subject)).toEqual(['CN=Test CA']);
    const exported = Buffer.from((await exportKey(store.session, { ref: key.id, part: 'public', format: 'cert' })).contentBase64, 'base64').toString('utf8');
    expect(exported.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('attaches a DER certificate', async () => {
    const key = await generateKey(store.session, { type: 'rsa' });
    const [attached] = await importKeys(store.session, { content: ca.issue(await requestFor(key.id), YEAR, { der: true }) });
    expect(attached).toMatchObject({ id: key.id, certificate: { issuer: 'CN=Test CA' } });
  });

  it('attaches the certificate of a PKCS#12 or PEM bundle whose private key is already held', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    const privatePem = Buffer.from((await exportKey(store.session, { ref: key.id, part: 'private', format: 'pem' })).contentBase64, 'base64');
    ca.workspace.write('bundle.key', privatePem);
    ca.workspace.write('bundle.crt', issued);
    ca.workspace.openssl(['pkcs12', '-export', '-inkey', 'bundle.key', '-in', 'bundle.crt', '-certfile', 'ca.crt', '-passout', 'pass:bundle password', '-out', 'bundle.p12']);
    const [fromP12] = await importKeys(store.session, { content: ca.workspace.read('bundle.p12'), password: 'bundle password' });
    expect(fromP12).toMatchObject({ id: key.id, hasPrivate: true, certificate: { issuer: 'CN=Test CA' } });
    expect(showKey(store.session, key.id).chain).toHaveLength(1);

    const renewed = ca.issue(await requestFor(key.id), YEAR);
    const [fromPem] = await importKeys(store.session, { content: Buffer.concat([privatePem, renewed]) });
    expect(fromPem?.certificate?.serial).not.toBe(fromP12?.certificate?.serial);
    expect(await listKeys(store.session)).toHaveLength(1);
  });

  it('ends the key with a certificate that ends earlier, so the certificate\'s end is the one announced', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    expect(key.expiresAt).toBe('2028-03-01T10:00:00.000Z');
    const [attached] = await importKeys(store.session, { content: issued });
    expect(attached?.expiresAt).toBe('2027-03-01T00:00:00.000Z');
    expect(attached?.notBefore).toBe(key.notBefore);
    expect(store.session.audit.list({ keyId: key.id })[0]?.detail).toMatchObject({ keyExpiresAt: '2027-03-01T00:00:00.000Z' });
  });

  it('keeps the key\'s expiry when the certificate ends later: a certificate does not extend a key', async () => {
    const { key, issued } = await keyWithIssuedCertificate({ from: YEAR.from, to: '2030-01-01T00:00:00Z' }, { type: 'ec', expires: '90d' });
    const [attached] = await importKeys(store.session, { content: issued });
    expect(attached).toMatchObject({ expiresAt: key.expiresAt, certificate: { notAfter: '2030-01-01T00:00:00.000Z' } });
  });

  it('gives a held key without an expiry (a trust-store entry) the certificate\'s', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const [partner] = await importKeys(store.session, { content: Buffer.from(pair.publicKey.export({ format: 'pem', type: 'spki' })), owner: 'partner' });
    expect(partner?.expiresAt).toBeNull();
    ca.workspace.write('partner.key', pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    ca.workspace.openssl(['req', '-new', '-key', 'partner.key', '-subj', '/CN=partner.example', '-out', 'partner.csr']);
    const [attached] = await importKeys(store.session, { content: ca.issue(ca.workspace.read('partner.csr'), YEAR) });
    expect(attached).toMatchObject({ id: partner?.id, owner: 'partner', hasPrivate: false, expiresAt: '2027-03-01T00:00:00.000Z' });
  });
});

describe('refusing a certificate for a held key, attaching nothing', () => {
  it('refuses it for a revoked key', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    revokeKey(store.session, { ref: key.id, reason: 'key compromise' });
    await expect(importKeys(store.session, { content: issued })).rejects.toMatchObject({ code: 'ERR_POLICY', message: expect.stringContaining(`key ${key.id} is revoked: key compromise`) });
    expect(showKey(store.session, key.id).certificate?.selfSigned).toBe(true);
  });

  it('refuses it for an expired key', async () => {
    const { key, issued } = await keyWithIssuedCertificate(YEAR, { type: 'ec', expires: '30d' });
    clock.advanceDays(31);
    await expect(importKeys(store.session, { content: issued })).rejects.toMatchObject({ code: 'ERR_POLICY', message: expect.stringContaining(`key ${key.id} expired at`) });
  });

  it('refuses a certificate that has expired, saying when', async () => {
    const { key, issued } = await keyWithIssuedCertificate({ from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    await expect(importKeys(store.session, { content: issued })).rejects.toMatchObject({
      code: 'ERR_CERT',
      message: `the certificate for key ${key.id} expired at 2026-01-01T00:00:00.000Z: nothing was attached`,
    });
    expect(showKey(store.session, key.id)).toMatchObject({ status: 'active', expiresAt: key.expiresAt });
  });

  it('refuses a certificate that is not valid yet, saying from when', async () => {
    const { key, issued } = await keyWithIssuedCertificate({ from: '2026-06-01T00:00:00Z', to: '2027-06-01T00:00:00Z' });
    await expect(importKeys(store.session, { content: issued })).rejects.toMatchObject({
      code: 'ERR_CERT',
      message: expect.stringContaining(`the certificate for key ${key.id} is valid only from 2026-06-01T00:00:00.000Z`),
    });
  });

  it('takes a certificate that starts when a pending key does', async () => {
    const { key, issued } = await keyWithIssuedCertificate({ from: '2026-06-01T00:00:00Z', to: '2027-06-01T00:00:00Z' }, { type: 'ec', notBefore: '2026-06-01T00:00:00Z' });
    await expect(importKeys(store.session, { content: issued })).resolves.toMatchObject([{ id: key.id, status: 'pending', certificate: { issuer: 'CN=Test CA' } }]);
  });

  it('refuses the certificate the key already holds', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await importKeys(store.session, { content: issued });
    await expect(importKeys(store.session, { content: issued })).rejects.toMatchObject({ code: 'ERR_KEY_EXISTS', message: `key ${key.id} already holds this certificate` });
  });

  it('refuses a self-signed certificate over the one the CA issued, pointing at self-sign --replace', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    const selfSigned = Buffer.from((await exportKey(store.session, { ref: key.id, part: 'public', format: 'cert' })).contentBase64, 'base64');
    await importKeys(store.session, { content: issued });
    await expect(importKeys(store.session, { content: selfSigned })).rejects.toMatchObject({
      code: 'ERR_POLICY',
      message: `key "${key.name}" holds a certificate issued by CN=Test CA: a self-signed one would replace it (to do that: Keys › Self-sign, "Replace the certificate issued by …"; signet cert self-sign ${key.kid} --replace)`,
    });
    expect(showKey(store.session, key.id).certificate).toMatchObject({ issuer: 'CN=Test CA' });
  });

  it('refuses options that would describe a new key, rather than ignore them, naming them as the console and the CLI both do', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await expect(importKeys(store.session, { content: issued, name: 'renamed', environment: 'prod', expires: '1y' })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: `the certificate is for key ${key.id} ("${key.name}"), which keeps its own name, environment, expiry: leave them out (to change its expiry: Keys › Renew; signet keys renew ${key.id} --expires …)`,
    });
    await expect(importKeys(store.session, { content: issued, alg: 'ES384' })).rejects.toMatchObject({ message: expect.stringContaining('which keeps its own algorithm: leave it out (') });
  });

  it('takes options that say what the key already has: they change nothing', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    const [attached] = await importKeys(store.session, { content: issued, name: key.name, ...(key.alg && { alg: key.alg }) });
    expect(attached).toMatchObject({ id: key.id, certificateAttached: true });
  });
});

describe('self-signing a key that holds a CA-issued certificate', () => {
  it('refuses to replace the CA\'s certificate and its chain unless told to', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await importKeys(store.session, { content: Buffer.concat([issued, ca.certificatePem]) });
    await expect(selfSign(store.session, { ref: key.id, subject: 'CN=x' })).rejects.toMatchObject({
      code: 'ERR_POLICY',
      message: expect.stringContaining('holds a certificate issued by CN=Test CA'),
    });
    expect(showKey(store.session, key.id)).toMatchObject({ certificate: { issuer: 'CN=Test CA' }, chain: [{ subject: 'CN=Test CA' }] });

    const { certificate } = await selfSign(store.session, { ref: key.id, subject: 'CN=x', replace: true });
    expect(showKey(store.session, key.id)).toMatchObject({ certificate: { selfSigned: true, serial: certificate.serial }, chain: [] });
    expect(store.session.audit.list({ keyId: key.id })[0]?.detail).toMatchObject({ replaced: { issuer: 'CN=Test CA' } });
  });

  it('replaces a self-signed certificate without being told to', async () => {
    const key = await generateKey(store.session, { type: 'ec', certificate: { subject: 'CN=first' } });
    await expect(selfSign(store.session, { ref: key.id, subject: 'CN=second' })).resolves.toMatchObject({ certificate: { subject: 'CN=second' } });
  });
});

const partner = (from: string, to: string) => ca.issueForNewKey('/CN=partner.example', { from, to }).certificate;

// Reminders follow the key's expiry: an imported key that outlived its certificate would never announce the real end.
describe('a new key imported with its certificate', () => {
  it('takes the certificate\'s validity when no expiry is given', async () => {
    const [key] = await importKeys(store.session, { content: partner('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z') });
    expect(key).toMatchObject({ notBefore: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', status: 'active' });
  });

  it('takes an expiry before the certificate\'s end', async () => {
    const [key] = await importKeys(store.session, { content: partner('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), expires: '6mo' });
    expect(key?.expiresAt).toBe('2026-09-01T10:00:00.000Z');
  });

  it('refuses an expiry after the certificate\'s end, naming both', async () => {
    await expect(importKeys(store.session, { content: partner('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), expires: '10y' })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: 'the expiry 2036-03-01T10:00:00.000Z is after the end of the key\'s certificate (2027-01-01T00:00:00.000Z): a key is not used past its certificate; leave the expiry out to take the certificate\'s',
    });
    expect(await listKeys(store.session)).toHaveLength(0);
  });

  it('imports a key whose certificate has expired as expired, and will not revive it with an expiry', async () => {
    const expired = partner('2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z');
    await expect(importKeys(store.session, { content: expired, expires: '1y' })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('after the end of the key\'s certificate (2021-01-01') });
    const [key] = await importKeys(store.session, { content: expired });
    expect(key).toMatchObject({ status: 'expired', expiresAt: '2021-01-01T00:00:00.000Z' });
  });

  it('refuses a certificate that ends before it starts', async () => {
    await expect(importKeys(store.session, { content: partner('2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z') })).rejects.toMatchObject({
      code: 'ERR_CERT',
      message: 'the certificate ends (2026-01-01T00:00:00.000Z) before it starts (2027-01-01T00:00:00.000Z): it is damaged or was made wrongly',
    });
    expect(await listKeys(store.session)).toHaveLength(0);
  });

  it('refuses an expiry in the past, as generating a key does', async () => {
    const { privateKey } = ca.issueForNewKey('/CN=unused', { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
    const refusal = { code: 'ERR_BAD_INPUT', message: 'the expiry 2020-01-01T00:00:00.000Z is not after 2026-03-01T10:00:00.000Z' };
    await expect(generateKey(store.session, { type: 'ec', expires: '2020-01-01' })).rejects.toMatchObject(refusal);
    await expect(importKeys(store.session, { content: privateKey, expires: '2020-01-01' })).rejects.toMatchObject(refusal);
    expect(await listKeys(store.session)).toHaveLength(0);
  });
});

describe('renewing a key that holds a certificate', () => {
  it('stops at the end of a certificate a CA issued: the renewed certificate comes first', async () => {
    const { key, issued } = await keyWithIssuedCertificate();
    await importKeys(store.session, { content: issued });
    expect(() => renewKey(store.session, { ref: key.id, expires: '2027-06-01T00:00:00Z' })).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY', message: expect.stringContaining('holds a certificate issued by CN=Test CA that ends at 2027-03-01T00:00:00.000Z: import the renewed certificate first') }),
    );
    expect(renewKey(store.session, { ref: key.id, expires: '2027-02-01T00:00:00Z' }).expiresAt).toBe('2027-02-01T00:00:00.000Z');
  });

  it('goes past a self-signed certificate, which is simply made again', async () => {
    const key = await generateKey(store.session, { type: 'ec', expires: '30d', certificate: { subject: 'CN=self' } });
    expect(renewKey(store.session, { ref: key.id, expires: '1y' }).expiresAt).toBe('2027-03-01T10:00:00.000Z');
  });
});
