import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignetError } from '../../../main/core/errors.ts';
import {
  SIGNING_ALGS,
  decodeToken,
  signCompact,
  verifyCompact,
  type KeyDescription,
  type SigningAlg,
} from '../../../main/core/jose/index.ts';
import { decoder, descriptionOf, encoder, everyCharacterChanged, makeTestKeys, type TestKeys } from './test-keys.ts';

let keys: TestKeys;
beforeAll(async () => {
  keys = await makeTestKeys();
});

interface KeyPairFor {
  key: KeyDescription;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  secret?: Buffer;
}

function keyFor(alg: SigningAlg): KeyPairFor {
  if (alg.startsWith('HS')) return { key: { type: 'hmac' }, secret: keys.hmac };
  const pair = alg === 'EdDSA' ? keys.ed25519
    : alg === 'ES256' ? keys.ec['P-256']
    : alg === 'ES384' ? keys.ec['P-384']
    : alg === 'ES512' ? keys.ec['P-521']
    : keys.rsa;
  return { key: descriptionOf(pair), privateKey: pair.privateKey, publicKey: pair.publicKey };
}

async function rejection(promise: Promise<unknown>): Promise<SignetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignetError) return error;
    throw error;
  }
  throw new Error('expected a SignetError, but the operation succeeded');
}

const payload = encoder.encode('{"amount":"12.50","currency":"EUR"}');

describe('JWS round trips', () => {
  it.each(SIGNING_ALGS)('signs and verifies %s', async (alg) => {
    const key = keyFor(alg);
    const token = await signCompact({ ...key, alg, payload, kid: 'k1' });
    const verified = await verifyCompact(token, key);
    expect(verified.alg).toBe(alg);
    expect(verified.header).toMatchObject({ alg, kid: 'k1' });
    expect(decoder.decode(verified.payload)).toBe(decoder.decode(payload));
  });

  it.each(SIGNING_ALGS)('signs and verifies %s detached (RFC 7515 Appendix F)', async (alg) => {
    const key = keyFor(alg);
    const token = await signCompact({ ...key, alg, payload, kid: 'k1', detached: true });
    expect(token.split('.')[1]).toBe('');
    const verified = await verifyCompact(token, { ...key, payload });
    expect(verified.detached).toBe(true);
  });

  it.each(SIGNING_ALGS)('signs and verifies %s unencoded and detached (RFC 7797)', async (alg) => {
    const key = keyFor(alg);
    const body = encoder.encode('{"b":"ünïcode . and dots"}');
    const token = await signCompact({ ...key, alg, payload: body, kid: 'k1', detached: true, b64: false });
    expect(decodeToken(token).header).toMatchObject({ b64: false, crit: ['b64'] });
    const verified = await verifyCompact(token, { ...key, payload: body });
    expect(Buffer.from(verified.payload).equals(Buffer.from(body))).toBe(true);
  });

  it("verifies another signer's attached unencoded payload of non-ASCII text over its UTF-8 bytes", async () => {
    const text = 'prix 10 €';
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', b64: false, crit: ['b64'] })).toString('base64url');
    const mac = createHmac('sha256', keys.hmac).update(Buffer.concat([Buffer.from(`${header}.`), Buffer.from(text, 'utf8')])).digest('base64url');
    const verified = await verifyCompact(`${header}.${text}.${mac}`, keyFor('HS256'));
    expect(decoder.decode(verified.payload)).toBe(text);
    expect(decodeToken(`${header}.${text}.${mac}`)).toMatchObject({ payload: { form: 'text', value: text } });
  });

  it('attaches an unencoded ASCII payload without dots', async () => {
    const key = keyFor('HS256');
    const token = await signCompact({ ...key, payload: encoder.encode('$02'), kid: 'k1', b64: false });
    expect(token.split('.')[1]).toBe('$02');
    expect(decoder.decode((await verifyCompact(token, key)).payload)).toBe('$02');
  });

  it('refuses to attach an unencoded payload containing a dot', async () => {
    const error = await rejection(signCompact({ ...keyFor('HS256'), payload: encoder.encode('$.02'), kid: 'k1', b64: false }));
    expect(error.code).toBe('ERR_BAD_INPUT');
    expect(error.message).toMatch(/detached/);
  });

  it('defaults the alg by key: RS256, ES384 on P-384, EdDSA, HS256', async () => {
    for (const [pair, expected] of [[keys.rsa, 'RS256'], [keys.ec['P-384'], 'ES384'], [keys.ed25519, 'EdDSA']] as const) {
      const token = await signCompact({ key: descriptionOf(pair), privateKey: pair.privateKey, payload, kid: 'k' });
      expect(decodeToken(token).header.alg).toBe(expected);
    }
    const hs = await signCompact({ key: { type: 'hmac' }, secret: keys.hmac, payload, kid: 'k' });
    expect(decodeToken(hs).header.alg).toBe('HS256');
  });

  it('signs with typ and extra header parameters', async () => {
    const token = await signCompact({ ...keyFor('ES256'), payload, kid: 'k1', typ: 'JOSE', header: { 'x-request-id': 'r-9' } });
    expect(decodeToken(token).header).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JOSE', 'x-request-id': 'r-9' });
  });
});

describe('signing refusals', () => {
  it('refuses a header alg that conflicts with the signing alg', async () => {
    const error = await rejection(signCompact({ ...keyFor('RS256'), alg: 'RS256', payload, kid: 'k1', header: { alg: 'PS256' } }));
    expect(error.code).toBe('ERR_BAD_INPUT');
    expect(error.message).toMatch(/"alg".*conflicts/);
  });

  it('refuses a header kid that conflicts with the key id', async () => {
    const error = await rejection(signCompact({ ...keyFor('RS256'), payload, kid: 'k1', header: { kid: 'other' } }));
    expect(error.message).toMatch(/"kid".*conflicts/);
  });

  it('accepts a header that repeats alg and kid with the same values', async () => {
    const token = await signCompact({ ...keyFor('RS256'), alg: 'RS256', payload, kid: 'k1', header: { alg: 'RS256', kid: 'k1' } });
    expect(decodeToken(token).header).toEqual({ alg: 'RS256', kid: 'k1' });
  });

  it('refuses an alg that does not fit the key, naming the right ones', async () => {
    const error = await rejection(signCompact({ ...keyFor('ES256'), alg: 'ES384', payload, kid: 'k1' }));
    expect(error.code).toBe('ERR_ALG_NOT_ALLOWED');
    expect(error.message).toMatch(/ES256/);
  });

  it('refuses to sign without the private key', async () => {
    const { key, publicKey } = keyFor('RS256');
    const error = await rejection(signCompact({ key, privateKey: publicKey, payload, kid: 'k1' }));
    expect(error.code).toBe('ERR_KEY_NO_PRIVATE');
  });

  it('refuses a key that is not what its description says', async () => {
    const error = await rejection(signCompact({ key: { type: 'ec', curve: 'P-256' }, privateKey: keys.rsa.privateKey, payload, kid: 'k1' }));
    expect(error.code).toBe('ERR_KEY_UNSUITABLE');
  });
});

describe('verification refusals', () => {
  it('reports a bad signature with the fixed message', async () => {
    const key = keyFor('RS256');
    const token = await signCompact({ ...key, payload, kid: 'k1' });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from('{"amount":"9999"}').toString('base64url')}.${signature}`;
    const error = await rejection(verifyCompact(forged, key));
    expect(error.code).toBe('ERR_VERIFY_FAILED');
    expect(error.message).toBe('signature verification failed');
  });

  it.each(['RS256', 'ES256', 'EdDSA', 'HS256'] as const)('detects a change to any character of a %s JWS', async (alg) => {
    const key = keyFor(alg);
    const token = await signCompact({ ...key, alg, payload, kid: 'k1' });
    for (const { index, tampered } of everyCharacterChanged(token)) {
      const error = await rejection(verifyCompact(tampered, key)).catch(() => undefined);
      expect(error, `character ${index} changed`).toBeInstanceOf(SignetError);
    }
  });

  it('detects a change to any byte of a detached payload', async () => {
    const key = keyFor('PS256');
    const token = await signCompact({ ...key, payload, kid: 'k1', detached: true });
    for (let index = 0; index < payload.length; index += 1) {
      const changed = Uint8Array.from(payload);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      await expect(verifyCompact(token, { ...key, payload: changed })).rejects.toMatchObject({ code: 'ERR_VERIFY_FAILED' });
    }
  });

  it('refuses alg none as an unsigned token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url');
    const token = `${header}.${Buffer.from(payload).toString('base64url')}.`;
    const error = await rejection(verifyCompact(token, keyFor('RS256')));
    expect(error.code).toBe('ERR_ALG_NOT_ALLOWED');
    expect(error.message).toMatch(/alg none: unsigned token refused/);
  });

  it('refuses RS/HS key confusion: HS256 signed with the RSA public key PEM as the secret', async () => {
    const pem = keys.rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1' })).toString('base64url');
    const body = Buffer.from(payload).toString('base64url');
    const mac = createHmac('sha256', pem).update(`${header}.${body}`).digest('base64url');
    const error = await rejection(verifyCompact(`${header}.${body}.${mac}`, { key: { type: 'rsa' }, publicKey: keys.rsa.publicKey }));
    expect(error.code).toBe('ERR_ALG_NOT_ALLOWED');
    expect(error.message).toMatch(/RS\/HS key confusion: an HMAC algorithm with a public key/);
  });

  it('refuses an asymmetric alg with an HMAC secret', async () => {
    const token = await signCompact({ ...keyFor('RS256'), payload, kid: 'k1' });
    const error = await rejection(verifyCompact(token, { key: { type: 'hmac' }, secret: keys.hmac }));
    expect(error.code).toBe('ERR_ALG_NOT_ALLOWED');
    expect(error.message).toMatch(/HMAC secret/);
  });

  it('refuses an ECDSA alg on the wrong curve', async () => {
    const token = await signCompact({ ...keyFor('ES384'), payload, kid: 'k1' });
    const error = await rejection(verifyCompact(token, keyFor('ES256')));
    expect(error.code).toBe('ERR_ALG_NOT_ALLOWED');
    expect(error.message).toMatch(/verifies ES256/);
  });

  it('refuses an alg outside an explicit narrower list', async () => {
    const key = keyFor('PS256');
    const token = await signCompact({ ...key, alg: 'PS256', payload, kid: 'k1' });
    await expect(verifyCompact(token, { ...key, algorithms: ['RS256'] })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
  });

  it('refuses a crit parameter it does not understand', async () => {
    const key = keyFor('HS256');
    const body = Buffer.from(payload).toString('base64url');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1', 'urn:example:policy': 'x', crit: ['urn:example:policy'] })).toString('base64url');
    const mac = createHmac('sha256', keys.hmac).update(`${header}.${body}`).digest('base64url');
    const error = await rejection(verifyCompact(`${header}.${body}.${mac}`, key));
    expect(error.code).toBe('ERR_JOSE_UNSUPPORTED');
    expect(error.message).toMatch(/crit.*urn:example:policy/);
  });

  it('refuses b64 false that is not marked critical', async () => {
    const key = keyFor('HS256');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', b64: false })).toString('base64url');
    const mac = createHmac('sha256', keys.hmac).update(`${header}.$02`).digest('base64url');
    await expect(verifyCompact(`${header}.$02.${mac}`, key)).rejects.toMatchObject({ code: 'ERR_JOSE_MALFORMED' });
  });

  it('never takes the key from the token header (embedded jwk and jku ignored)', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    const header = { jwk, jku: 'https://attacker.example/jwks' };
    const forged = await signCompact({ key: { type: 'ec', curve: 'P-256' }, privateKey: attacker.privateKey, payload, kid: 'k1', header });
    await expect(verifyCompact(forged, keyFor('ES256'))).rejects.toMatchObject({ code: 'ERR_VERIFY_FAILED' });
  });

  it('says a detached JWS needs its payload', async () => {
    const key = keyFor('HS256');
    const token = await signCompact({ ...key, payload, kid: 'k1', detached: true });
    const error = await rejection(verifyCompact(token, key));
    expect(error.code).toBe('ERR_VERIFY_FAILED');
    expect(error.message).toMatch(/pass the payload/);
  });

  it('refuses a separate payload for a JWS that carries its own', async () => {
    const key = keyFor('HS256');
    const token = await signCompact({ ...key, payload, kid: 'k1' });
    await expect(verifyCompact(token, { ...key, payload })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });

  it('reports structure problems as malformed', async () => {
    const key = keyFor('HS256');
    for (const text of ['not a token', 'a.b', 'eyJhbGciOiJIUzI1NiJ9.e30.', '!!!.e30.abc', 'W10.e30.abc']) {
      await expect(verifyCompact(text, key)).rejects.toMatchObject({ code: 'ERR_JOSE_MALFORMED' });
    }
  });

  it('points at decryption when given a JWE', async () => {
    const error = await rejection(verifyCompact('eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..AAAA.AAAA.AAAA', keyFor('HS256')));
    expect(error.message).toMatch(/JWE/);
  });
});
