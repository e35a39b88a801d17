import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportKey } from '../../../main/services/key-export.ts';
import { generateKey, importKeys } from '../../../main/services/keys.ts';
import { decryptToken, encryptToken, signToken, verifyToken } from '../../../main/services/workbench/jose.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// A key's "alg", when chosen (a JWK's member, --alg), is the only algorithm it is used with; a key
// for encryption vouches for no signature (RFC 7517 §4.2, §4.4; RFC 8725 §2.1).

let store: TempStore;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-03-01T10:00:00Z') });
});
afterEach(() => store.cleanup());

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = pair.publicKey.export({ format: 'jwk' });
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A JWS made outside Signet with the pair's private key, as a partner would. */
function partnerJws(header: Record<string, unknown>): string {
  const input = `${b64(JSON.stringify(header))}.${b64('{"order":1}')}`;
  const pss = String(header.alg).startsWith('PS');
  const signature = sign('sha256', Buffer.from(input), pss ? { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : pair.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

const importJwk = (members: Record<string, unknown>) => importKeys(store.session, { content: Buffer.from(JSON.stringify({ ...publicJwk, ...members })) });

describe('verification', () => {
  it('verifies only the algorithm a JWK names; without "alg" any RSA algorithm', async () => {
    const [pinned] = await importJwk({ kid: 'rs-only', alg: 'RS256' });
    expect(pinned).toMatchObject({ alg: 'RS256', algPinned: true });
    expect(await verifyToken(store.session, { token: partnerJws({ alg: 'RS256', kid: 'rs-only' }) })).toMatchObject({ verdict: 'valid' });
    expect(await verifyToken(store.session, { token: partnerJws({ alg: 'PS256', kid: 'rs-only' }) })).toMatchObject({ verdict: 'invalid', detail: 'alg "PS256" refused: RSA rs-only is for RS256 only' });
    // An algorithm foreign to the key's type is still refused by name (RS/HS confusion), not as "not RS256".
    const hs = `${b64(JSON.stringify({ alg: 'HS256', kid: 'rs-only' }))}.${b64('{}')}.AAAA`;
    expect(await verifyToken(store.session, { token: hs })).toMatchObject({ verdict: 'invalid', detail: expect.stringContaining('RS/HS key confusion') });
  });

  it('leaves a key without a chosen alg open to its type', async () => {
    const [open] = await importKeys(store.session, { content: Buffer.from(JSON.stringify({ ...publicJwk, kid: 'any-rsa' })) });
    expect(open).toMatchObject({ alg: 'RS256', algPinned: false });
    expect(await verifyToken(store.session, { token: partnerJws({ alg: 'PS256', kid: 'any-rsa' }) })).toMatchObject({ verdict: 'valid', alg: 'PS256' });
  });

  it('refuses a signature checked with a key marked for encryption, by kid and without one', async () => {
    await importJwk({ kid: 'enc-1', use: 'enc', alg: 'RSA-OAEP-256' });
    expect(await verifyToken(store.session, { token: partnerJws({ alg: 'RS256', kid: 'enc-1' }) })).toMatchObject({
      verdict: 'invalid',
      detail: 'key confusion: RSA enc-1 is an encryption key ("use": "enc"); it does not verify signatures',
    });
    expect(await verifyToken(store.session, { token: partnerJws({ alg: 'RS256' }) })).toMatchObject({ verdict: 'unknown-key' });
  });
});

describe('signing and encryption with held keys', () => {
  it('signs with the algorithm chosen at generation by default, and with no other', async () => {
    const key = await generateKey(store.session, { type: 'rsa', alg: 'PS256', kid: 'ps-gen' });
    expect(key.algPinned).toBe(true);
    const signed = await signToken(store.session, { key: 'ps-gen', payload: Buffer.from('{}') });
    expect(signed.alg).toBe('PS256');
    await expect(signToken(store.session, { key: 'ps-gen', alg: 'RS256', payload: Buffer.from('{}') })).rejects.toMatchObject({
      code: 'ERR_ALG_NOT_ALLOWED',
      message: 'key ps-gen is for PS256 only (chosen when it was generated or imported): RS256 refused',
    });
    const open = await generateKey(store.session, { type: 'rsa', kid: 'rs-gen' });
    expect(open.algPinned).toBe(false);
    expect((await signToken(store.session, { key: 'rs-gen', alg: 'PS512', payload: Buffer.from('{}') })).alg).toBe('PS512');
  });

  it('encrypts nothing to a signing key whose algorithm was chosen, and passes over a pinned key for a kid-less JWE of another alg', async () => {
    await generateKey(store.session, { type: 'rsa', alg: 'PS256', kid: 'ps-only' });
    await expect(encryptToken(store.session, { key: 'ps-only', plaintext: Buffer.from('x') })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE', message: 'key ps-only is for PS256 only: nothing is encrypted to it' });
    await generateKey(store.session, { type: 'rsa', use: 'enc', alg: 'RSA-OAEP', kid: 'oaep-pinned' });
    const open = await generateKey(store.session, { type: 'rsa', use: 'enc', kid: 'oaep-open' });
    const publicKey = await importJWK({ ...(await exportedPublic(open.id)), alg: 'RSA-OAEP-256' }, 'RSA-OAEP-256');
    const kidless = await new CompactEncrypt(Buffer.from('hello')).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey);
    expect(await decryptToken(store.session, { token: kidless })).toMatchObject({ verdict: 'decrypted', kid: 'oaep-open' });
  });

  it('signs nothing with an encryption key', async () => {
    await generateKey(store.session, { type: 'ec', use: 'enc', kid: 'ec-enc' });
    await expect(signToken(store.session, { key: 'ec-enc', payload: Buffer.from('{}') })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE', message: expect.stringContaining('encryption key') });
  });

  it('encrypts to an encryption key with its chosen algorithm, and opens nothing wrapped with another', async () => {
    const key = await generateKey(store.session, { type: 'rsa', use: 'enc', alg: 'RSA-OAEP', kid: 'oaep-1' });
    const { token } = await encryptToken(store.session, { key: 'oaep-1', plaintext: Buffer.from('hello') });
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'RSA-OAEP', kid: 'oaep-1' });
    await expect(encryptToken(store.session, { key: 'oaep-1', alg: 'RSA-OAEP-256', plaintext: Buffer.from('x') })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
    expect((await decryptToken(store.session, { token })).verdict).toBe('decrypted');
    // The same public key, wrapped with another algorithm by a sender who ignored the key's "alg".
    const publicKey = await importJWK({ ...(await exportedPublic(key.id)), alg: 'RSA-OAEP-256' }, 'RSA-OAEP-256');
    const other = await new CompactEncrypt(Buffer.from('hello')).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'oaep-1' }).encrypt(publicKey);
    await expect(decryptToken(store.session, { token: other })).rejects.toMatchObject({ code: 'ERR_DECRYPT_FAILED', message: expect.stringContaining('RSA-OAEP-256') });
  });
});

async function exportedPublic(id: string): Promise<Record<string, unknown>> {
  const artifact = await exportKey(store.session, { ref: id, part: 'public', format: 'jwk' });
  return JSON.parse(Buffer.from(artifact.contentBase64, 'base64').toString()) as Record<string, unknown>;
}

describe('what the workbench refuses before any key material is read', () => {
  it('names RS/HS confusion for a token checked against a locked HMAC secret, rather than asking to unlock', async () => {
    await generateKey(store.session, { type: 'hmac', appId: 'APP-CONF', kid: 'hs-conf' });
    store.session.lock();
    const result = await verifyToken(store.session, { token: partnerJws({ alg: 'RS256', kid: 'partner-rsa' }), key: 'hs-conf' });
    expect(result).toMatchObject({ verdict: 'invalid', detail: expect.stringContaining('key confusion') });
  });

  it('refuses a payload given for a JWS that carries its own, and says what a JSON serialization is', async () => {
    await importJwk({ kid: 'rs-any' });
    await expect(verifyToken(store.session, { token: partnerJws({ alg: 'RS256', kid: 'rs-any' }), payload: Buffer.from('{}') })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('drop --payload') });
    await expect(decryptToken(store.session, { token: 'not.a.jwe' })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: 'a compact JWE has 5 dot-separated parts; this has 3 (a JWS? verify it instead)' });
    const flattened = JSON.stringify({ protected: 'eyJhbGciOiJSUzI1NiJ9', payload: 'e30', signature: 'AAAA' });
    await expect(verifyToken(store.session, { token: flattened })).rejects.toMatchObject({ message: expect.stringContaining('JSON serialization') });
  });
});
