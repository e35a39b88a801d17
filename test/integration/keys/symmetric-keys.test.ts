import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { importKeys } from '../../../main/services/keys.ts';
import { verifyToken } from '../../../main/services/workbench/jose.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { A128KW, HS256 } from '../../unit/jose/rfc7520-vectors.ts';

// Symmetric keys as partners hand them over: an `oct` JWK (RFC 7518 §6.4), or raw bytes written in base64
// or hex. Checked against RFC 7520 §4.4, whose HS256 signature only the right bytes verify.
const KID = '018c0ae5-4d9b-471b-bfd6-eef314bc7037';
const octJwk = (members: Record<string, unknown>) => Buffer.from(JSON.stringify({ kty: 'oct', k: HS256.k, ...members }));

let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

describe('an oct JWK in keys import', () => {
  it('is kept as an HMAC secret under its kid, and verifies the RFC 7520 §4.4 signature', async () => {
    const [key] = await importKeys(store.session, { content: octJwk({ kid: KID }), name: 'RFC 7520 HMAC' });
    expect(key).toMatchObject({ kid: KID, type: 'hmac', size: 256, alg: 'HS256', hasPrivate: true, name: 'RFC 7520 HMAC' });
    expect((await verifyToken(store.session, { token: HS256.compact })).verdict).toBe('valid');
    expect(store.session.audit.list({ keyId: key?.id })[0]).toMatchObject({ action: 'key.imported', detail: { kid: KID, format: 'jwk' } });
  });

  it('takes --kid for a JWK that has none, and refuses it without one', async () => {
    await expect(importKeys(store.session, { content: octJwk({}) })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringMatching(/^the symmetric JWK has no "kid" to keep it under: give one \(signet keys import FILE --kid K\), or import its "k" as an HMAC secret/) });
    const [key] = await importKeys(store.session, { content: octJwk({}), kid: KID });
    expect(key?.kid).toBe(KID);
  });

  it('refuses a key-wrapping key by its alg rather than keep it as an HMAC secret it is not', async () => {
    const content = Buffer.from(JSON.stringify({ kty: 'oct', kid: 'wrap', alg: 'A128KW', k: A128KW.k }));
    await expect(importKeys(store.session, { content })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED', message: expect.stringContaining('is for A128KW') });
    expect(store.session.keys.list({})).toEqual([]);
  });

  it.each([
    ['use "enc"', { use: 'enc' }, 'the symmetric JWK is for use "enc": '],
    ['a use Signet does not know', { use: 'tls' }, 'the symmetric JWK is for use "tls": '],
    ['key_ops for wrapping', { key_ops: ['wrapKey', 'unwrapKey'] }, 'the symmetric JWK is for wrapKey, unwrapKey (its key_ops), not sign or verify: '],
    ['empty key_ops', { key_ops: [] }, 'the symmetric JWK is for no operation (its key_ops), not sign or verify: '],
  ])('refuses a key marked for something else by %s, though its alg is not given', async (_marked, members, refusal) => {
    await expect(importKeys(store.session, { content: octJwk({ kid: KID, ...members }) })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
      message: `${refusal}Signet keeps symmetric keys as HMAC secrets (HS256, HS384, HS512, X-OPG-Signature) only`,
    });
    expect(store.session.keys.list({})).toEqual([]);
  });

  it('keeps a key marked for signatures by its use or its key_ops', async () => {
    const set = Buffer.from(JSON.stringify({ keys: [{ kty: 'oct', kid: 'by-use', use: 'sig', k: HS256.k }, { kty: 'oct', kid: 'by-ops', key_ops: ['verify'], k: HS256.k }] }));
    expect((await importKeys(store.session, { content: set })).map((key) => key.kid)).toEqual(['by-use', 'by-ops']);
  });

  it('refuses key_ops that is not an array of strings', async () => {
    await expect(importKeys(store.session, { content: octJwk({ kid: KID, key_ops: 'sign' }) })).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT', message: "JWK member 'key_ops' must be an array of strings" });
  });

  it('imports a JWKS of secrets all or none, and refuses one mixing them with key pairs', async () => {
    const set = (keys: unknown[]) => Buffer.from(JSON.stringify({ keys }));
    const good = { kty: 'oct', kid: 'one', k: HS256.k };
    await expect(importKeys(store.session, { content: set([good, { kty: 'oct', k: HS256.k }]) })).rejects.toMatchObject({ message: expect.stringMatching(/^JWKS key #2: /) });
    expect(store.session.keys.list({})).toEqual([]);
    expect((await importKeys(store.session, { content: set([good, { ...good, kid: 'two' }]), name: 'pair' })).map((key) => [key.kid, key.name])).toEqual([
      ['one', 'pair 1'],
      ['two', 'pair 2'],
    ]);
    const rsa = { kty: 'RSA', kid: 'r', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw', e: 'AQAB' };
    await expect(importKeys(store.session, { content: set([{ ...good, kid: 'three' }, rsa]) })).rejects.toMatchObject({ message: 'the file holds symmetric (oct) and asymmetric keys together: import them as two files' });
  });
});

describe('keys import-secret --encoding', () => {
  const token = HS256.compact;
  const importAndVerify = async (text: string, encoding?: string) => {
    const file = join(store.dir, 'secret.txt');
    writeFileSync(file, `${text}\n`);
    const imported = await signet(['keys', 'import-secret', '--app-id', KID, '--secret-file', file, ...(encoding ? ['--encoding', encoding] : [])], { store: store.path });
    const verified = await signet(['verify', token, '--json'], { store: store.path });
    return { imported: imported.code, verdict: imported.code === 0 ? verified.json<{ verdict: string }>().verdict : imported.stderr };
  };

  it('takes the secret as base64 (either alphabet) or hex, so the bytes issued are the bytes kept', async () => {
    expect(await importAndVerify(HS256.k, 'base64')).toEqual({ imported: 0, verdict: 'valid' });
  });

  it('takes hex', async () => {
    expect(await importAndVerify(Buffer.from(HS256.k, 'base64url').toString('hex'), 'hex')).toEqual({ imported: 0, verdict: 'valid' });
  });

  it('keeps text as its UTF-8 bytes by default: the base64 text is then another key', async () => {
    expect(await importAndVerify(HS256.k)).toEqual({ imported: 0, verdict: 'invalid' });
  });

  it('refuses a file that is not what --encoding says', async () => {
    expect(await importAndVerify('not hex at all', 'hex')).toEqual({ imported: 2, verdict: 'signet keys import-secret: the secret is not hex (pairs of 0-9, a-f)\n' });
    expect(await importAndVerify('a', 'base64')).toEqual({ imported: 2, verdict: 'signet keys import-secret: the secret is not base64: its length is not that of any bytes (is it cut short?)\n' });
    expect(await importAndVerify(HS256.k, 'utf16')).toEqual({ imported: 2, verdict: 'signet keys import-secret: --encoding is one of text, base64, hex, not "utf16"\n' });
  });
});

describe('keys.importSecret in the contract', () => {
  const hex = Buffer.from(HS256.k, 'base64url').toString('hex');

  it('takes the secret as text and its encoding, decoded by the service', async () => {
    const key = await dispatch(store.session, 'keys.importSecret', { appId: KID, secretText: hex, encoding: 'hex' });
    expect(key).toMatchObject({ kid: KID, size: 256 });
    expect((await verifyToken(store.session, { token: HS256.compact })).verdict).toBe('valid');
  });

  it('refuses the secret given both ways, or neither', async () => {
    const oneWay = 'give the secret one way: as secretBase64, or as secretText with its encoding';
    const secretBase64 = Buffer.from(hex, 'hex').toString('base64');
    await expect(dispatch(store.session, 'keys.importSecret', { appId: KID, secretBase64, secretText: hex, encoding: 'hex' })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: oneWay });
    await expect(dispatch(store.session, 'keys.importSecret', { appId: KID })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: oneWay });
    await expect(dispatch(store.session, 'keys.importSecret', { appId: KID, secretBase64, encoding: 'hex' })).rejects.toMatchObject({
      code: 'ERR_BAD_INPUT',
      message: 'encoding goes with secretText: secretBase64 is the bytes themselves',
    });
    expect(store.session.keys.list({})).toEqual([]);
  });

  it('never says the secret it refuses', async () => {
    const cutShort = HS256.k.slice(0, 41);
    const refused = dispatch(store.session, 'keys.importSecret', { appId: KID, secretText: cutShort, encoding: 'base64' });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.not.stringContaining(cutShort) });
  });
});
