import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateRequest, exportKey, selfSign } from '../../../main/services/key-export.ts';
import { generateKey, importKeys, showKey } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import type { Artifact } from '../../../main/services/views.ts';
import { signToken, verifyToken } from '../../../main/services/workbench/jose.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';

let store: TempStore;
const clock = manualClock('2026-03-01T10:00:00Z');
beforeEach(async () => {
  clock.set('2026-03-01T10:00:00Z');
  store = await tempStore({ clock });
});
afterEach(() => store.cleanup());

const PASSWORD = 'export password 1';
const bytesOf = (artifact: Artifact): Buffer => Buffer.from(artifact.contentBase64, 'base64');
const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('private exports under a password', () => {
  it.each(['pem', 'der'] as const)('writes %s as an encrypted PKCS#8 key that openssl opens with the password only', async (format) => {
    const key = await generateKey(store.session, { type: 'ec' });
    const exported = bytesOf(await exportKey(store.session, { ref: key.id, part: 'private', format, password: PASSWORD }));
    if (format === 'pem') expect(exported.toString('utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const file = join(store.dir, `key.${format}`);
    const passwordFile = join(store.dir, 'password');
    writeFileSync(file, exported);
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const read = (passin: string) => openssl(['pkey', '-in', file, '-inform', format.toUpperCase(), '-passin', passin, '-pubout']);
    expect(read(`file:${passwordFile}`)).toBe(showKey(store.session, key.id).publicPem);
    expect(() => read('pass:not the password')).toThrow();
  });

  it('reads its own encrypted export back with the password, as the same key, and audits it as encrypted', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    const content = bytesOf(await exportKey(store.session, { ref: key.id, part: 'private', format: 'pem', password: PASSWORD }));
    await expect(importKeys(store.session, { content, kid: 'copy' })).rejects.toMatchObject({ code: 'ERR_BAD_PASSWORD' });
    const [copy] = await importKeys(store.session, { content, password: PASSWORD, kid: 'copy' });
    expect(copy).toMatchObject({ hasPrivate: true, thumbprint: key.thumbprint });
    expect(store.session.audit.list({ keyId: key.id })[0]?.detail).toMatchObject({ format: 'pem', encrypted: true });
  });

  it('refuses a password it cannot apply (a private JWK, a public part) or one under 8 characters, exporting nothing', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    await expect(exportKey(store.session, { ref: key.id, part: 'private', format: 'jwk', password: PASSWORD })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: expect.stringContaining('a JWK cannot be protected by a password'),
    });
    await expect(exportKey(store.session, { ref: key.id, part: 'public', format: 'pem', password: PASSWORD })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
    await expect(exportKey(store.session, { ref: key.id, part: 'private', format: 'pem', password: 'short' })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: expect.stringContaining('at least 8 characters'),
    });
    expect(store.session.audit.list({ keyId: key.id }).map((entry) => entry.action)).toEqual(['key.created']);
  });

  it('says an X25519 key has no certificate for a PKCS#12 file, and names the formats it exports as', async () => {
    const key = await generateKey(store.session, { type: 'x25519' });
    await expect(exportKey(store.session, { ref: key.id, part: 'private', format: 'p12', password: PASSWORD })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: 'an X25519 key has no certificate to put in a PKCS#12 file: export it as pem (encrypted with a password) or jwk',
    });
    expect(bytesOf(await exportKey(store.session, { ref: key.id, part: 'private', format: 'pem', password: PASSWORD })).toString('utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
  });
});

describe('certificates for held keys', () => {
  it('keeps the key\'s validity: what it signed before the certificate still verifies', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    const { token } = await signToken(store.session, { key: key.id, payload: Buffer.from('{"amount":1}') });
    clock.set('2026-06-01T00:00:00Z');
    const { key: certified, certificate } = await selfSign(store.session, { ref: key.id, subject: 'CN=merchant' });
    expect(certificate.notBefore).toBe('2026-06-01T00:00:00.000Z');
    expect(certified).toMatchObject({ notBefore: key.notBefore, expiresAt: key.expiresAt, status: 'active' });
    expect((await verifyToken(store.session, { token, at: '2026-03-01T10:00:00Z' })).verdict).toBe('valid');
  });

  it('ends the certificate with the key, however many days are asked for', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    const { key: certified, certificate } = await selfSign(store.session, { ref: key.id, subject: 'CN=merchant', days: 36500 });
    expect(certificate.notAfter).toBe('2028-03-01T10:00:00.000Z');
    expect(certified.expiresAt).toBe(key.expiresAt);
  });

  it('starts a pending key\'s certificate when the key starts', async () => {
    const key = await generateKey(store.session, { type: 'ec', notBefore: '2026-04-01T00:00:00Z' });
    const { key: certified, certificate } = await selfSign(store.session, { ref: key.id, subject: 'CN=next' });
    expect(certificate).toMatchObject({ notBefore: '2026-04-01T00:00:00.000Z', notAfter: '2028-04-01T00:00:00.000Z' });
    expect(certified).toMatchObject({ notBefore: '2026-04-01T00:00:00.000Z', status: 'pending' });
  });

  it('gives a key without an expiry the certificate\'s', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const [key] = await importKeys(store.session, { content: Buffer.from(pem) });
    expect(key?.expiresAt).toBeNull();
    const { key: certified, certificate } = await selfSign(store.session, { ref: key?.id ?? '', subject: 'CN=imported', days: 90 });
    expect(certificate.notAfter).toBe('2026-05-30T10:00:00.000Z');
    expect(certified.expiresAt).toBe(certificate.notAfter);
  });

  it('refuses to certify an expired key, which stays expired', async () => {
    const key = await generateKey(store.session, { type: 'ec', expires: '30d' });
    clock.advanceDays(31);
    await expect(selfSign(store.session, { ref: key.id, subject: 'CN=late', days: 365 })).rejects.toMatchObject({
      code: 'ERR_POLICY',
      message: expect.stringContaining(`key ${key.id} expired at 2026-03-31T10:00:00.000Z`),
    });
    const detail = showKey(store.session, key.id);
    expect(detail).toMatchObject({ status: 'expired', expiresAt: key.expiresAt });
    expect(detail.certificate).toBeUndefined();
  });

  it('refuses a certificate or a CSR for a revoked key', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    revokeKey(store.session, { ref: key.id, reason: 'key compromise' });
    const refusal = { code: 'ERR_POLICY', message: expect.stringContaining(`key ${key.id} is revoked: key compromise`) };
    await expect(selfSign(store.session, { ref: key.id, subject: 'CN=revoked' })).rejects.toMatchObject(refusal);
    await expect(certificateRequest(store.session, { ref: key.id, subject: 'CN=revoked' })).rejects.toMatchObject(refusal);
    expect(store.session.audit.list({ keyId: key.id }).map((entry) => entry.action)).toEqual(['key.revoked', 'key.created']);
  });
});
