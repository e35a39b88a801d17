import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptCompact } from '../../../main/core/jose/encrypt.ts';
import { verifyCapture } from '../../../main/services/captures.ts';
import { publicKeyOf, resolveKey } from '../../../main/services/key-records.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { decryptToken, encryptToken } from '../../../main/services/workbench/jose.ts';
import type { KeyView } from '../../../main/services/views.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// Which held key a JWE is tried with: a key that cannot be its recipient (another curve than the epk's)
// is passed over, not taken for a fault of the token; the key the user chose is blamed as the choice.
let store: TempStore;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-03-01T10:00:00Z') });
});
afterEach(() => store.cleanup());

const plaintext = Buffer.from('{"pin":"4321"}');

/** A JWE to a held key, as a partner makes it: with the kid given (or none), never read from the keystore. */
function encryptTo(key: KeyView, kid?: string): Promise<string> {
  const record = resolveKey(store.session, key.id);
  return encryptCompact({ publicKey: publicKeyOf(record), keyType: record.type, plaintext, ...(kid !== undefined && { kid }) });
}

async function captureFinding(jwe: string) {
  const path = writeCapture(store.dir, 'response.har', harText([{ method: 'POST', url: 'https://bank.test/card', body: '{}', response: { body: jwe } }]));
  const [finding] = (await verifyCapture(store.session, { path })).findings;
  return finding;
}

describe('a JWE whose kid names no held key', () => {
  // Held in this order, so that each kind of JWE meets a key on another curve before its own.
  let ecFirst: KeyView;
  let x25519: KeyView;
  let ecSecond: KeyView;
  beforeEach(async () => {
    ecFirst = await generateKey(store.session, { type: 'ec', use: 'enc' });
    x25519 = await generateKey(store.session, { type: 'x25519' });
    ecSecond = await generateKey(store.session, { type: 'ec', use: 'enc' });
  });

  it('says a kid-less JWE that no held key opens was encrypted to a key not held here, and how many were tried', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const jwe = await encryptCompact({ publicKey: stranger, keyType: 'ec', plaintext });
    const detail = 'the JWE names no kid, and none of the 2 held keys that fit opens it: it was encrypted to a key not held here';
    await expect(decryptToken(store.session, { token: jwe })).rejects.toMatchObject({ code: 'ERR_DECRYPT_FAILED', message: detail });
    expect(await captureFinding(jwe)).toMatchObject({ verdict: 'undecryptable', detail });
  });

  it('opens a kid-less P-256 JWE with the P-256 key held after an X25519 key', async () => {
    const jwe = await encryptTo(ecSecond);
    expect(await decryptToken(store.session, { token: jwe })).toMatchObject({ verdict: 'decrypted', kid: ecSecond.kid });
    expect(await captureFinding(jwe)).toMatchObject({ verdict: 'decrypted', kid: ecSecond.kid });
  });

  it('opens a kid-less X25519 JWE with the X25519 key held after a P-256 key', async () => {
    const jwe = await encryptTo(x25519);
    expect(await decryptToken(store.session, { token: jwe })).toMatchObject({ verdict: 'decrypted', kid: x25519.kid });
    expect(await captureFinding(jwe)).toMatchObject({ verdict: 'decrypted', kid: x25519.kid });
  });

  it('opens a JWE whose kid is not held with the held key it was encrypted to', async () => {
    const jwe = await encryptTo(ecSecond, 'partner-rotated-kid');
    expect(await captureFinding(jwe)).toMatchObject({ verdict: 'decrypted', detail: expect.stringContaining('(kid "partner-rotated-kid" names no held key)') });
  });

  it('says undecryptable, pointing to the session, for a response to an ephemeral session while other keys fit', async () => {
    const session = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwe = await encryptCompact({ publicKey: session.publicKey, keyType: 'ec', plaintext, kid: 'e_0123456789abcdef' });
    const finding = await captureFinding(jwe);
    expect(finding).toMatchObject({ verdict: 'undecryptable', detail: expect.stringContaining('signet ephemeral decrypt e_0123456789abcdef') });
    expect(finding?.detail).toContain(`none of the 2 held keys that fit opens it`);
    await expect(decryptToken(store.session, { token: jwe })).rejects.toMatchObject({ code: 'ERR_DECRYPT_FAILED', message: expect.stringContaining('signet ephemeral decrypt e_0123456789abcdef') });
  });

  it('keeps an epk off its curve malformed, whichever keys are held', async () => {
    const jwe = await encryptTo(ecSecond);
    const [header = '', ...rest] = jwe.split('.');
    const fields = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { epk: { y: string } };
    const y = Buffer.from(fields.epk.y, 'base64url');
    y[y.length - 1] = ((y[y.length - 1] ?? 0) + 1) & 0xff;
    fields.epk.y = y.toString('base64url');
    const offCurve = [Buffer.from(JSON.stringify(fields)).toString('base64url'), ...rest].join('.');
    expect(await captureFinding(offCurve)).toMatchObject({ verdict: 'malformed', detail: expect.stringContaining('invalid-curve attack refused') });
  });

  it('fails, rather than calls malformed, a JWE whose kid names a held key on another curve than its epk', async () => {
    const jwe = await encryptTo(ecFirst, x25519.kid);
    expect(await captureFinding(jwe)).toMatchObject({ verdict: 'invalid', detail: `the "epk" is P-256, but the key its kid names (kid "${x25519.kid}") is x25519: the JWE is not encrypted to it` });
  });
});

describe('decrypt with the key the user chose (--key)', () => {
  it('says the key given is not the one the JWE names, rather than blaming the token', async () => {
    const named = await generateKey(store.session, { type: 'rsa', use: 'enc', kid: 'partner-enc' });
    const chosen = await generateKey(store.session, { type: 'rsa', use: 'enc', kid: 'rsa1' });
    const { token } = await encryptToken(store.session, { key: named.kid, plaintext });
    await expect(decryptToken(store.session, { token, key: chosen.kid })).rejects.toMatchObject({
      code: 'ERR_DECRYPT_FAILED',
      message: 'decryption failed with the key given (kid "rsa1"): the JWE names kid "partner-enc", another key',
    });
    expect(await decryptToken(store.session, { token, key: named.id })).toMatchObject({ verdict: 'decrypted', kid: named.kid });
  });
});

describe('encrypt to a key given as a file', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwkFile = (members: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...rsa.publicKey.export({ format: 'jwk' }), ...members }));

  it('refuses a file holding the private key, as encryptFor does', async () => {
    const privateJwk = Buffer.from(JSON.stringify(rsa.privateKey.export({ format: 'jwk' })));
    await expect(encryptToken(store.session, { publicKey: privateJwk, plaintext })).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT', message: expect.stringContaining('holds a private key') });
    const privatePem = Buffer.from(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await expect(encryptToken(store.session, { publicKey: privatePem, plaintext })).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT' });
  });

  it('refuses a JWK for a signing algorithm, as for the same key in the keystore', async () => {
    await expect(encryptToken(store.session, { publicKey: jwkFile({ alg: 'RS256' }), plaintext })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
      message: 'the recipient key is for "RS256" only: nothing is encrypted to it',
    });
  });

  it('refuses a JWK marked for signatures', async () => {
    await expect(encryptToken(store.session, { publicKey: jwkFile({ use: 'sig' }), plaintext })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE', message: expect.stringContaining('"use": "sig"') });
  });

  it('encrypts with the algorithm a JWK names, and with no other', async () => {
    const { token } = await encryptToken(store.session, { publicKey: jwkFile({ alg: 'RSA-OAEP', use: 'enc' }), plaintext });
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'))).toMatchObject({ alg: 'RSA-OAEP' });
    await expect(encryptToken(store.session, { publicKey: jwkFile({ alg: 'RSA-OAEP' }), alg: 'RSA-OAEP-256', plaintext })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
  });

  it('encrypts to a public PEM, which says nothing of its use', async () => {
    const pem = Buffer.from(rsa.publicKey.export({ format: 'pem', type: 'spki' }));
    expect((await encryptToken(store.session, { publicKey: pem, plaintext })).token.split('.')).toHaveLength(5);
  });
});
