import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportKey } from '../../../main/services/key-export.ts';
import { privateKeyOf, resolveKey, secretOf } from '../../../main/services/key-records.ts';
import { listKeys } from '../../../main/services/key-views.ts';
import { generateKey, importKeys, importSecret, showKey } from '../../../main/services/keys.ts';
import { activateKey, deleteKey, renewKey, revokeKey } from '../../../main/services/key-status.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import { deletedKeys, listAudit, verifyAudit } from '../../../main/services/audit.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';

let store: TempStore;
const clock = manualClock('2026-03-01T10:00:00Z');
beforeEach(async () => {
  clock.set('2026-03-01T10:00:00Z');
  store = await tempStore({ clock });
});
afterEach(() => store.cleanup());

describe('generation', () => {
  it.each([
    [{ type: 'rsa' as const, bits: 2048 }, 'RS256', 2048],
    [{ type: 'rsa' as const, bits: 3072 }, 'RS256', 3072],
    [{ type: 'ec' as const, curve: 'P-256' as const }, 'ES256', null],
    [{ type: 'ec' as const, curve: 'P-384' as const }, 'ES384', null],
    [{ type: 'ec' as const, curve: 'P-521' as const }, 'ES512', null],
    [{ type: 'ed25519' as const }, 'EdDSA', null],
    [{ type: 'x25519' as const }, 'ECDH-ES+A256KW', null],
  ])('generates %o with a thumbprint kid and its default alg', async (spec, alg, size) => {
    const key = await generateKey(store.session, spec);
    expect(key).toMatchObject({ type: spec.type, alg, status: 'active', hasPrivate: true, kid: key.thumbprint, size });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('generates RSA-4096 off the event loop (timers keep firing meanwhile)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const key = await generateKey(store.session, { type: 'rsa', bits: 4096 });
    clearInterval(timer);
    expect(key.size).toBe(4096);
    expect(ticks).toBeGreaterThan(0);
  }, 120_000);

  it('generates an HMAC secret under its AppId with the 1-year default', async () => {
    const key = await generateKey(store.session, { type: 'hmac', appId: 'OPG-7' });
    expect(key).toMatchObject({ kid: 'OPG-7', appId: 'OPG-7', alg: 'HS256', expiresAt: '2027-03-01T10:00:00.000Z', thumbprint: null });
    expect(secretOf(store.session, resolveKey(store.session, key.id))).toHaveLength(32);
  });

  it('gives RSA/EC keys 2 calendar years by default, from the policy setting', async () => {
    expect((await generateKey(store.session, { type: 'ec' })).expiresAt).toBe('2028-03-01T10:00:00.000Z');
    updateSettings(store.session, { policy: { keyExpiry: '90d' } });
    expect((await generateKey(store.session, { type: 'ec' })).expiresAt).toBe('2026-05-30T10:00:00.000Z');
  });

  it('refuses an HMAC expiry beyond the 1-year limit, naming the limit', async () => {
    await expect(generateKey(store.session, { type: 'hmac', appId: 'OPG-8', expires: '18mo' })).rejects.toMatchObject({ code: 'ERR_POLICY', message: expect.stringContaining('at most 1y') });
    expect(await listKeys(store.session)).toHaveLength(0);
  });

  it('refuses an alg that does not fit the key, naming the right ones', async () => {
    await expect(generateKey(store.session, { type: 'ec', curve: 'P-256', alg: 'RS256' })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED', message: expect.stringContaining('ES256') });
  });

  it('attaches a self-signed certificate whose validity is the key\'s', async () => {
    const key = await generateKey(store.session, { type: 'rsa', certificate: { subject: 'CN=acme merchant,O=Acme' } });
    expect(key.certificate).toMatchObject({ subject: 'CN=acme merchant,O=Acme', selfSigned: true });
    expect(key.certificate?.notAfter.slice(0, 10)).toBe('2028-03-01');
  });
});

describe('lifecycle', () => {
  it('goes pending → active → revoked, each step in the audit log', async () => {
    const key = await generateKey(store.session, { type: 'ed25519', pending: true });
    expect(key.status).toBe('pending');
    expect(activateKey(store.session, key.id).status).toBe('active');
    const revoked = revokeKey(store.session, { ref: key.kid, reason: 'rotated' });
    expect(revoked).toMatchObject({ status: 'revoked', revocationReason: 'rotated' });
    expect(showKey(store.session, key.id).audit.map((entry) => entry.action)).toEqual(['key.revoked', 'key.activated', 'key.created']);
    expect(verifyAudit(store.session)).toMatchObject({ ok: true });
  });

  it('refuses a revocation in the future, pointing at an expiry instead', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    expect(() => revokeKey(store.session, { ref: key.id, at: '2026-04-01T00:00:00Z', reason: 'superseded' })).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('renew it with that expiry instead') }),
    );
    expect((await listKeys(store.session, { at: '2026-04-01T00:00:01Z' }))[0]?.status).toBe('active');
  });

  it('moves a revocation earlier when an earlier compromise comes to light, the audit keeping both times', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    revokeKey(store.session, { ref: key.id, at: '2026-02-15T00:00:00Z', reason: 'superseded' });
    const revoked = revokeKey(store.session, { ref: key.id, at: '2026-02-01T00:00:00Z', reason: 'key compromise' });
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z', revocationReason: 'key compromise' });
    expect(store.session.audit.list({ keyId: key.id })[0]?.detail).toEqual({
      kid: key.kid,
      reason: 'key compromise',
      effectiveAt: '2026-02-01T00:00:00.000Z',
      replacesEffectiveAt: '2026-02-15T00:00:00.000Z',
      replacesReason: 'superseded',
    });
    expect(verifyAudit(store.session)).toMatchObject({ ok: true });
  });

  it('renews an active key from now, audited, within the HMAC maximum; a revoked or expired one is not renewed', async () => {
    const key = await generateKey(store.session, { type: 'ec', expires: '30d' });
    expect(renewKey(store.session, { ref: key.id, expires: '1y' })).toMatchObject({ status: 'active', expiresAt: '2027-03-01T10:00:00.000Z' });
    expect(store.session.audit.list({ keyId: key.id })[0]).toMatchObject({ action: 'key.renewed', detail: { kid: key.kid, expiresAt: '2027-03-01T10:00:00.000Z', previousExpiresAt: '2026-03-31T10:00:00.000Z' } });
    const secret = await generateKey(store.session, { type: 'hmac', appId: 'OPG-RENEW' });
    expect(() => renewKey(store.session, { ref: secret.id, expires: '2y' })).toThrow(expect.objectContaining({ code: 'ERR_POLICY' }));
    revokeKey(store.session, { ref: key.id, reason: 'key compromise' });
    expect(() => renewKey(store.session, { ref: key.id, expires: '1y' })).toThrow(expect.objectContaining({ code: 'ERR_POLICY', message: expect.stringContaining('is revoked: it cannot be renewed') }));
    const short = await generateKey(store.session, { type: 'ec', expires: '1d' });
    clock.advanceDays(2);
    expect(() => renewKey(store.session, { ref: short.id, expires: '1y' })).toThrow(expect.objectContaining({ message: expect.stringContaining('is expired') }));
    expect(verifyAudit(store.session)).toMatchObject({ ok: true });
  });

  it('refuses a revocation no earlier than the one recorded, naming it', async () => {
    const compromised = await generateKey(store.session, { type: 'ec' });
    revokeKey(store.session, { ref: compromised.id, at: '2026-02-01T00:00:00Z', reason: 'key compromise' });
    expect(() => revokeKey(store.session, { ref: compromised.id })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('already revoked at 2026-02-01T00:00:00.000Z (key compromise)') }));
    expect(showKey(store.session, compromised.id)).toMatchObject({ revokedAt: '2026-02-01T00:00:00.000Z', revocationReason: 'key compromise' });
  });

  it('refuses an HMAC default validity longer than the maximum, which would break every default generation', async () => {
    expect(() => updateSettings(store.session, { policy: { hmacDefaultExpiry: '2y' } })).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_INPUT', message: 'invalid setting: policy.hmacDefaultExpiry: the default validity of HMAC secrets cannot be longer than their maximum' }),
    );
    expect(() => updateSettings(store.session, { policy: { expiringSoonDays: 0 } })).toThrow(expect.objectContaining({ message: 'invalid setting: policy.expiringSoonDays must be at least 1' }));
    updateSettings(store.session, { policy: { hmacDefaultExpiry: '6mo' } });
    expect((await generateKey(store.session, { type: 'hmac', appId: 'OPG-DEFAULT' })).expiresAt).toBe('2026-09-01T10:00:00.000Z');
  });

  it('refuses an AppId that would not survive the X-OPG-Signature header (a colon, a space)', async () => {
    for (const appId of ['a b', 'APP:1', 'APP\u00e9']) {
      await expect(generateKey(store.session, { type: 'hmac', appId })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('cannot go in an X-OPG-Signature header') });
      expect(() => importSecret(store.session, { appId, secret: Buffer.alloc(32, 7) })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
    }
    expect((await generateKey(store.session, { type: 'hmac', appId: 'OPG-APP_2.test' })).appId).toBe('OPG-APP_2.test');
  });

  it('refuses options that do not apply to the type rather than ignore them', async () => {
    const refusals: [Parameters<typeof generateKey>[1], RegExp][] = [
      [{ type: 'ed25519', curve: 'P-256' }, /--curve is for EC keys/],
      [{ type: 'ec', bits: 4096 }, /--bits is for RSA keys/],
      [{ type: 'rsa', bits: 0 }, /not a key size/],
      [{ type: 'hmac', appId: 'OPG-CERT', certificate: { subject: 'CN=x' } }, /no public key to certify/],
    ];
    for (const [input, message] of refusals) await expect(generateKey(store.session, input)).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringMatching(message) });
    expect(store.session.keys.count()).toBe(0);
  });

  it('computes expired from the expiry and the clock, and flags expiring soon', async () => {
    const key = await generateKey(store.session, { type: 'ec', expires: '40d' });
    expect((await listKeys(store.session))[0]).toMatchObject({ status: 'active', expiringSoon: false });
    clock.advanceDays(15);
    expect((await listKeys(store.session))[0]).toMatchObject({ status: 'active', expiringSoon: true });
    clock.advanceDays(30);
    expect((await listKeys(store.session, { status: 'expired' })).map((view) => view.id)).toEqual([key.id]);
  });

  it('keeps several active keys per owner and filters by owner, type and search', async () => {
    await generateKey(store.session, { type: 'rsa', owner: 'acme', name: 'acme 2026' });
    await generateKey(store.session, { type: 'rsa', owner: 'acme', name: 'acme 2027' });
    await generateKey(store.session, { type: 'ec', owner: 'globex' });
    expect(await listKeys(store.session, { owner: 'acme', status: 'active' })).toHaveLength(2);
    expect(await listKeys(store.session, { type: 'ec' })).toHaveLength(1);
    expect((await listKeys(store.session, { search: '2027' })).map((key) => key.name)).toEqual(['acme 2027']);
  });

  it('deletes a key with its sealed part and records it', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    deleteKey(store.session, key.kid);
    expect(() => showKey(store.session, key.id)).toThrow(expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }));
    expect(store.session.audit.list({ keyId: key.id })[0]?.action).toBe('key.deleted');
  });

  it('lists deleted keys as their deletion rows named them, however many rows came after', async () => {
    const gone = await generateKey(store.session, { type: 'ec', name: 'Old signer' });
    const kept = await generateKey(store.session, { type: 'ed25519' });
    clock.advanceDays(1);
    deleteKey(store.session, gone.id);
    for (let renewal = 0; renewal < 150; renewal++) renewKey(store.session, { ref: kept.id, expires: `${renewal + 2}d` });
    expect(deletedKeys(store.session)).toEqual([{ keyId: gone.id, kid: gone.kid, name: 'Old signer', deletedAt: clock().toISOString() }]);
    // Its history is found by the kid it had, as well as by its id.
    expect(listAudit(store.session, { key: gone.kid }).map((entry) => entry.action)).toEqual(['key.deleted', 'key.created']);
    expect(listAudit(store.session, { key: gone.id })).toHaveLength(2);
  });
});

describe('import', () => {
  it('imports a JWKS as trust-store entries keeping each kid, all or none', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const jwk = (kid: string) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid, use: 'sig' });
    const imported = await importKeys(store.session, { content: Buffer.from(JSON.stringify({ keys: [jwk('auth-1'), jwk('auth-2')] })), owner: 'ocen-auth' });
    expect(imported.map((key) => [key.kid, key.name, key.hasPrivate, key.owner])).toEqual([
      ['auth-1', 'EC auth-1', false, 'ocen-auth'],
      ['auth-2', 'EC auth-2', false, 'ocen-auth'],
    ]);
    const named = await importKeys(store.session, { content: Buffer.from(JSON.stringify({ keys: [jwk('auth-4'), jwk('auth-5')] })), name: 'OCEN auth' });
    expect(named.map((key) => key.name)).toEqual(['OCEN auth 1', 'OCEN auth 2']);
    await expect(importKeys(store.session, { content: Buffer.from(JSON.stringify({ keys: [jwk('auth-3'), jwk('auth-1')] })) })).rejects.toMatchObject({ code: 'ERR_KEY_EXISTS' });
    expect((await listKeys(store.session)).map((key) => key.kid)).toEqual(['auth-1', 'auth-2', 'auth-4', 'auth-5']);
  });

  it('imports an HMAC secret issued by a partner, sealed', async () => {
    const key = importSecret(store.session, { appId: 'PORTAL-1', secret: Buffer.from('portal-issued-secret-value') });
    expect(key).toMatchObject({ type: 'hmac', kid: 'PORTAL-1', hasPrivate: true });
    expect(secretOf(store.session, resolveKey(store.session, 'PORTAL-1')).toString()).toBe('portal-issued-secret-value');
  });

  it('refuses garbage with a clear error and writes nothing', async () => {
    await expect(importKeys(store.session, { content: Buffer.from('-----BEGIN PRIVATE KEY-----\nnot base64\n') })).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT' });
    expect(await listKeys(store.session)).toHaveLength(0);
    expect(store.session.audit.list().map((entry) => entry.action)).toEqual(['keystore.init']);
  });
});

describe('secrets at rest', () => {
  it('never writes a private key or an HMAC secret in clear to the database file', async () => {
    const rsa = await generateKey(store.session, { type: 'rsa' });
    const hmac = importSecret(store.session, { appId: 'OPG-Z', secret: Buffer.from('a-very-recognisable-hmac-secret-0001') });
    const jwk = privateKeyOf(store.session, resolveKey(store.session, rsa.id)).export({ format: 'jwk' });
    store.session.db.pragma('wal_checkpoint(TRUNCATE)');
    const files = ['', '-wal'].map((suffix) => {
      try {
        return readFileSync(store.path + suffix);
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const file of files) {
      // The private parts of the RSA key (d, p, q); n and e are public and stored as such.
      for (const part of [jwk.d, jwk.p, jwk.q]) expect(file.includes(Buffer.from(part ?? 'missing', 'base64url').subarray(0, 32))).toBe(false);
      expect(file.includes(Buffer.from('a-very-recognisable-hmac-secret-0001'))).toBe(false);
    }
    expect(hmac.hasPrivate).toBe(true);
  });

  it('records every private export in the audit log, and none for public ones', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    await exportKey(store.session, { ref: key.id, part: 'public', format: 'jwk' });
    await exportKey(store.session, { ref: key.id, part: 'private', format: 'pem' });
    expect(store.session.audit.list({ keyId: key.id }).map((entry) => [entry.action, entry.detail.format])).toEqual([
      ['key.exported-private', 'pem'],
      ['key.created', undefined],
    ]);
  });

  it('needs the keystore unlocked for private material', async () => {
    const key = await generateKey(store.session, { type: 'ec' });
    store.session.lock();
    await expect(exportKey(store.session, { ref: key.id, part: 'private', format: 'pem' })).rejects.toMatchObject({ code: 'ERR_LOCKED' });
    await expect(exportKey(store.session, { ref: key.id, part: 'public', format: 'pem' })).resolves.toMatchObject({ text: true });
  });
});
