import { randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignetError } from '../../../main/core/errors.ts';
import {
  CONTENT_ENCRYPTION_ALGS,
  decodeToken,
  decryptCompact,
  encryptCompact,
  encryptFor,
  type ContentEncryptionAlg,
  type KeyManagementAlg,
} from '../../../main/core/jose/index.ts';
import { generateAsymmetric } from '../../../main/core/keys/generate.ts';
import type { KeyType } from '../../../main/core/keys/types.ts';
import { decoder, encoder, everyCharacterChanged, makeTestKeys, type TestKeys } from './test-keys.ts';

let keys: TestKeys;
beforeAll(async () => {
  keys = await makeTestKeys();
});

const plaintext = encoder.encode('{"otp":"493817","account":"DE02 1203 0000 0000 2020 51"}');
const CEK_BYTES: Record<ContentEncryptionAlg, number> = {
  A128GCM: 16, A192GCM: 24, A256GCM: 32, 'A128CBC-HS256': 32, 'A192CBC-HS384': 48, 'A256CBC-HS512': 64,
};

type Recipient = 'RSA' | 'P-256' | 'P-384' | 'P-521' | 'X25519';
function asymmetric(recipient: Recipient): { keyType: KeyType; publicKey: KeyObject; privateKey: KeyObject } {
  const pair = recipient === 'RSA' ? keys.rsa : recipient === 'X25519' ? keys.x25519 : keys.ec[recipient];
  if (!pair.privateKey) throw new Error('test key without private half');
  return { keyType: pair.type, publicKey: pair.publicKey, privateKey: pair.privateKey };
}

const asymmetricCases = [
  ...(['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512'] as const).map((alg) => ['RSA', alg] as const),
  ...(['P-256', 'P-384', 'P-521', 'X25519'] as const).flatMap((recipient) =>
    (['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'] as const).map((alg) => [recipient, alg] as const),
  ),
].flatMap(([recipient, alg]) => CONTENT_ENCRYPTION_ALGS.map((enc) => [recipient, alg, enc] as const));

const secretCases: (readonly [KeyManagementAlg, ContentEncryptionAlg, number])[] = [
  ...(['A128KW', 'A192KW', 'A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW'] as const).flatMap((alg) =>
    CONTENT_ENCRYPTION_ALGS.map((enc) => [alg, enc, Number(alg.slice(1, 4)) / 8] as const),
  ),
  ...CONTENT_ENCRYPTION_ALGS.map((enc) => ['dir', enc, CEK_BYTES[enc]] as const),
];

async function rejection(promise: Promise<unknown>): Promise<SignetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignetError) return error;
    throw error;
  }
  throw new Error('expected a SignetError, but the operation succeeded');
}

function withHeader(jwe: string, change: (header: Record<string, unknown>) => void): string {
  const [header = '', ...rest] = jwe.split('.');
  const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(parsed);
  return [Buffer.from(JSON.stringify(parsed)).toString('base64url'), ...rest].join('.');
}

describe('JWE round trips', () => {
  it.each(asymmetricCases)('encrypts to %s with %s + %s and decrypts', async (recipient, alg, enc) => {
    const { keyType, publicKey, privateKey } = asymmetric(recipient);
    const jwe = await encryptCompact({ publicKey, keyType, alg, enc, plaintext, kid: 'r1', cty: 'json' });
    const decrypted = await decryptCompact(jwe, { privateKey, keyType });
    expect(decrypted.header).toMatchObject({ alg, enc, kid: 'r1', cty: 'json' });
    expect(decoder.decode(decrypted.plaintext)).toBe(decoder.decode(plaintext));
  });

  it.each(secretCases)('encrypts with a shared secret using %s + %s and decrypts', async (alg, enc, bytes) => {
    const secret = randomBytes(bytes);
    const jwe = await encryptCompact({ secret, keyType: 'hmac', alg, enc, plaintext });
    const decrypted = await decryptCompact(jwe, { secret, keyType: 'hmac' });
    expect(decoder.decode(decrypted.plaintext)).toBe(decoder.decode(plaintext));
  });

  it('defaults to RSA-OAEP-256 + A256GCM for RSA and ECDH-ES+A256KW + A256GCM for EC and X25519', async () => {
    const rsa = await encryptCompact({ ...asymmetric('RSA'), plaintext });
    expect(decodeToken(rsa).header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    for (const recipient of ['P-256', 'X25519'] as const) {
      const jwe = await encryptCompact({ ...asymmetric(recipient), plaintext });
      expect(decodeToken(jwe).header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' });
    }
  });
});

describe('decryption refusals', () => {
  it.each(['RSA', 'P-256', 'X25519'] as const)('detects a change to any character of a JWE to %s', async (recipient) => {
    const { keyType, publicKey, privateKey } = asymmetric(recipient);
    const jwe = await encryptCompact({ publicKey, keyType, plaintext });
    for (const { index, tampered } of everyCharacterChanged(jwe)) {
      const error = await rejection(decryptCompact(tampered, { privateKey, keyType })).catch(() => undefined);
      expect(error, `character ${index} changed`).toBeInstanceOf(SignetError);
    }
  });

  it('fails with the fixed message under the wrong key', async () => {
    const jwe = await encryptCompact({ ...asymmetric('P-256'), plaintext });
    const stranger = await generateAsymmetric({ type: 'ec', curve: 'P-256' });
    const error = await rejection(decryptCompact(jwe, { privateKey: stranger.privateKey, keyType: 'ec' }));
    expect(error.code).toBe('ERR_DECRYPT_FAILED');
    expect(error.message).toBe('decryption failed');
  });

  it('refuses a compressed JWE: decompression bombs', async () => {
    const jwe = withHeader(await encryptCompact({ ...asymmetric('RSA'), plaintext }), (header) => {
      header.zip = 'DEF';
    });
    const error = await rejection(decryptCompact(jwe, asymmetric('RSA')));
    expect(error.code).toBe('ERR_JOSE_UNSUPPORTED');
    expect(error.message).toMatch(/compressed JWE refused: decompression bombs/);
  });

  it('refuses PBES2 unless explicitly allowed, and decrypts it when allowed', async () => {
    const password = Buffer.from('correct horse battery staple');
    const jwe = await new CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' })
      .setKeyManagementParameters({ p2c: 1000 })
      .encrypt(password);
    await expect(decryptCompact(jwe, { secret: password, keyType: 'hmac' })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
    const decrypted = await decryptCompact(jwe, { secret: password, keyType: 'hmac', allowPbes2: true });
    expect(decoder.decode(decrypted.plaintext)).toBe(decoder.decode(plaintext));
  });

  it('refuses a PBES2 count above the limit, naming the limit, before doing any work', async () => {
    const password = Buffer.from('correct horse battery staple');
    const jwe = await new CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' })
      .setKeyManagementParameters({ p2c: 1000 })
      .encrypt(password);
    const huge = withHeader(jwe, (header) => {
      header.p2c = 2_000_000_000;
    });
    const error = await rejection(decryptCompact(huge, { secret: password, keyType: 'hmac', allowPbes2: true }));
    expect(error.code).toBe('ERR_JOSE_UNSUPPORTED');
    expect(error.message).toMatch(/310000/);
    await expect(decryptCompact(jwe, { secret: password, keyType: 'hmac', allowPbes2: true, maxPbes2Count: 999 })).rejects.toMatchObject({ message: /limit of 999/ });
  });

  it('refuses an ECDH-ES epk that is not on the curve (invalid-curve attack)', async () => {
    const jwe = await encryptCompact({ ...asymmetric('P-256'), alg: 'ECDH-ES', plaintext });
    const offCurve = withHeader(jwe, (header) => {
      const epk = header.epk as { y: string };
      const y = Buffer.from(epk.y, 'base64url');
      y[31] = (y[31] ?? 0) ^ 0x01;
      epk.y = y.toString('base64url');
    });
    const error = await rejection(decryptCompact(offCurve, asymmetric('P-256')));
    expect(error.code).toBe('ERR_JOSE_MALFORMED');
    expect(error.message).toMatch(/invalid-curve/);
  });

  it('refuses an epk on another curve than the recipient key', async () => {
    const p384 = await encryptCompact({ ...asymmetric('P-384'), alg: 'ECDH-ES', plaintext });
    const epk = decodeToken(p384).header.epk;
    const jwe = withHeader(await encryptCompact({ ...asymmetric('P-256'), alg: 'ECDH-ES', plaintext }), (header) => {
      header.epk = epk;
    });
    await expect(decryptCompact(jwe, asymmetric('P-256'))).rejects.toMatchObject({ code: 'ERR_JOSE_MALFORMED', message: /P-384.*P-256/ });
  });

  it('refuses RSA1_5, saying why and what to use instead', async () => {
    const jwe = withHeader(await encryptCompact({ ...asymmetric('RSA'), alg: 'RSA-OAEP', plaintext }), (header) => {
      header.alg = 'RSA1_5';
    });
    const error = await rejection(decryptCompact(jwe, asymmetric('RSA')));
    expect(error.code).toBe('ERR_JOSE_UNSUPPORTED');
    expect(error.message).toMatch(/RSA-OAEP-256/);
  });

  it('refuses a JWE listing critical extensions', async () => {
    const jwe = withHeader(await encryptCompact({ ...asymmetric('RSA'), plaintext }), (header) => {
      header.crit = ['exp'];
      header.exp = 1;
    });
    await expect(decryptCompact(jwe, asymmetric('RSA'))).rejects.toMatchObject({ code: 'ERR_JOSE_UNSUPPORTED' });
  });

  it('refuses an alg that does not fit the key', async () => {
    const jwe = await encryptCompact({ ...asymmetric('P-256'), plaintext });
    await expect(decryptCompact(jwe, asymmetric('RSA'))).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED', message: /RSA-OAEP/ });
  });

  it('refuses a secret of the wrong length, saying which length is needed', async () => {
    await expect(encryptCompact({ secret: randomBytes(16), keyType: 'hmac', alg: 'dir', enc: 'A256GCM', plaintext })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
      message: /32-byte secret/,
    });
  });

  it('refuses RSA1_5 and Ed25519 keys for new encryptions', async () => {
    await expect(encryptCompact({ ...asymmetric('RSA'), alg: 'RSA1_5', plaintext })).rejects.toMatchObject({ code: 'ERR_ALG_NOT_ALLOWED' });
    await expect(encryptCompact({ publicKey: keys.ed25519.publicKey, keyType: 'ed25519', plaintext })).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE' });
  });

  it('reports structure problems as malformed', async () => {
    for (const text of ['abc', 'a.b.c', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d!', 'W10.AA.AA.AA.AA']) {
      await expect(decryptCompact(text, asymmetric('RSA'))).rejects.toMatchObject({ code: 'ERR_JOSE_MALFORMED' });
    }
  });
});

describe('encryptFor (the third party\'s library call)', () => {
  it.each(['RSA', 'P-256', 'X25519'] as const)('encrypts to a public %s JWK, which the holder decrypts', async (recipient) => {
    const { keyType, publicKey, privateKey } = asymmetric(recipient);
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'browser-session-1' };
    const jwe = await encryptFor(jwk, 'one-time secret');
    expect(decodeToken(jwe).header.kid).toBe('browser-session-1');
    const decrypted = await decryptCompact(jwe, { privateKey, keyType });
    expect(decoder.decode(decrypted.plaintext)).toBe('one-time secret');
  });

  it('uses the JWK\'s own alg when it names one', async () => {
    const jwk = { ...keys.rsa.publicKey.export({ format: 'jwk' }), alg: 'RSA-OAEP' };
    expect(decodeToken(await encryptFor(jwk, 'x')).header.alg).toBe('RSA-OAEP');
  });

  it('refuses a private JWK: a third party must never hold the private part', async () => {
    const jwk = keys.ec['P-256'].privateKey?.export({ format: 'jwk' }) ?? {};
    await expect(encryptFor(jwk, 'x')).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT', message: /private key material \(d\)/ });
  });

  it('refuses a symmetric JWK and a JWK marked for signatures', async () => {
    await expect(encryptFor({ kty: 'oct', k: 'AAAA' }, 'x')).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT' });
    const sig = { ...keys.rsa.publicKey.export({ format: 'jwk' }), use: 'sig' };
    await expect(encryptFor(sig, 'x')).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE' });
  });

  it('refuses a JWK whose key_ops allow no encryption (RFC 7517 §4.3)', async () => {
    const jwk = { ...keys.rsa.publicKey.export({ format: 'jwk' }), key_ops: ['verify'] };
    await expect(encryptFor(jwk, 'x')).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE', message: expect.stringMatching(/"key_ops" "verify" allow no encryption/) });
    await expect(encryptFor({ ...jwk, key_ops: 'encrypt' } as unknown as JsonWebKey, 'x')).rejects.toMatchObject({ code: 'ERR_KEY_FORMAT' });
  });

  it.each([{ keyOps: ['wrapKey'] }, { keyOps: ['encrypt'] }, { keyOps: [] }])('accepts key_ops $keyOps (WebCrypto exports a decrypt-only public key with [])', async ({ keyOps }) => {
    const jwk = { ...keys.rsa.publicKey.export({ format: 'jwk' }), key_ops: keyOps };
    expect(decodeToken(await encryptFor(jwk, 'x')).kind).toBe('jwe');
  });
});
