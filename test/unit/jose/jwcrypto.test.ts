import { execFileSync } from 'node:child_process';
import { randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SIGNING_ALGS,
  decryptCompact,
  encryptCompact,
  signCompact,
  verifyCompact,
  type ContentEncryptionAlg,
  type KeyDescription,
  type KeyManagementAlg,
  type SigningAlg,
} from '../../../main/core/jose/index.ts';
import type { KeyType } from '../../../main/core/keys/types.ts';
import { decoder, descriptionOf, encoder, makeTestKeys, type TestKeys } from './test-keys.ts';

/**
 * Interop with an independent implementation, python3-jwcrypto from Debian, in both directions:
 * what it signs or encrypts, Signet verifies or decrypts; what Signet produces, it verifies or
 * decrypts. One interpreter run per direction (see jwcrypto_interop.py).
 */

const PYTHON = '/usr/bin/python3';
const HELPER = fileURLToPath(new URL('./jwcrypto_interop.py', import.meta.url));

function jwcryptoImportable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = jwcryptoImportable();

interface Result {
  token?: string;
  ok?: boolean;
  payload?: string;
  plaintext?: string;
  error?: string;
}

function runJwcrypto(jobs: object[]): Result[] {
  const output = execFileSync(PYTHON, [HELPER], { input: JSON.stringify(jobs), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output.toString('utf8')) as Result[];
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const payload = encoder.encode('{"orderId":"A-1001","amount":"12.50"}');
const unencodedBody = encoder.encode('{"note":"dots . and ünïcode"}');

const signingCases: { alg: SigningAlg; detached: boolean; b64: boolean }[] = [
  ...SIGNING_ALGS.map((alg) => ({ alg, detached: false, b64: true })),
  ...(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const).flatMap((alg) => [
    { alg, detached: true, b64: true },
    { alg, detached: true, b64: false },
  ]),
];

type Recipient = 'RSA' | 'P-256' | 'P-384' | 'P-521' | 'X25519' | 'secret';
const ALL_ENC: ContentEncryptionAlg[] = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'];
const encryptionCases: { recipient: Recipient; alg: KeyManagementAlg; enc: ContentEncryptionAlg; secretBytes?: number }[] = [
  ...(['RSA-OAEP', 'RSA-OAEP-256'] as const).flatMap((alg) => ALL_ENC.map((enc) => ({ recipient: 'RSA' as const, alg, enc }))),
  ...(['P-256', 'P-384', 'P-521', 'X25519'] as const).flatMap((recipient) =>
    (['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'] as const).map((alg) => ({ recipient, alg, enc: 'A256GCM' as const })),
  ),
  ...ALL_ENC.filter((enc) => enc !== 'A256GCM').map((enc) => ({ recipient: 'P-256' as const, alg: 'ECDH-ES' as const, enc })),
  ...([['A128KW', 16], ['A192KW', 24], ['A256KW', 32], ['A128GCMKW', 16], ['A256GCMKW', 32]] as const).map(([alg, secretBytes]) => ({
    recipient: 'secret' as const, alg, enc: 'A128CBC-HS256' as const, secretBytes,
  })),
  { recipient: 'secret', alg: 'dir', enc: 'A256GCM', secretBytes: 32 },
  { recipient: 'secret', alg: 'dir', enc: 'A256CBC-HS512', secretBytes: 64 },
];

interface KeyMaterial {
  description: KeyDescription;
  keyType: KeyType;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  secret?: Buffer;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

let keys: TestKeys;
const caseSecrets = new Map<number, Buffer>();

function asymmetricMaterial(pair: TestKeys['rsa']): KeyMaterial {
  return {
    description: descriptionOf(pair),
    keyType: pair.type,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateJwk: pair.privateKey?.export({ format: 'jwk' }) ?? {},
    publicJwk: pair.publicKey.export({ format: 'jwk' }),
  };
}

function secretMaterial(secret: Buffer): KeyMaterial {
  const jwk = { kty: 'oct', k: b64u(secret) };
  return { description: { type: 'hmac' }, keyType: 'hmac', secret, privateJwk: jwk, publicJwk: jwk };
}

function signingMaterial(alg: SigningAlg): KeyMaterial {
  if (alg.startsWith('HS')) return secretMaterial(keys.hmac);
  if (alg === 'EdDSA') return asymmetricMaterial(keys.ed25519);
  if (alg.startsWith('ES')) return asymmetricMaterial(keys.ec[({ ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const)[alg as 'ES256']]);
  return asymmetricMaterial(keys.rsa);
}

function encryptionMaterial(index: number): KeyMaterial {
  const testCase = encryptionCases[index];
  if (!testCase) throw new Error(`no encryption case ${index}`);
  switch (testCase.recipient) {
    case 'RSA':
      return asymmetricMaterial(keys.rsa);
    case 'X25519':
      return asymmetricMaterial(keys.x25519);
    case 'secret': {
      const secret = caseSecrets.get(index) ?? randomBytes(testCase.secretBytes ?? 32);
      caseSecrets.set(index, secret);
      return secretMaterial(secret);
    }
    default:
      return asymmetricMaterial(keys.ec[testCase.recipient]);
  }
}

const bodyOf = (testCase: { b64: boolean }) => (testCase.b64 ? payload : unencodedBody);
const describeSigning = (testCase: (typeof signingCases)[number]) =>
  `${testCase.alg}${testCase.detached ? ' detached' : ''}${testCase.b64 ? '' : ' unencoded (b64 false)'}`;

describe.runIf(available)('interop with python3-jwcrypto', () => {
  let fromJwcrypto: Result[];
  let signedBySignet: string[];
  let verdictsOfJwcrypto: Result[];
  let encryptedByJwcrypto: Result[];
  let encryptedBySignet: string[];
  let decryptedByJwcrypto: Result[];

  beforeAll(async () => {
    keys = await makeTestKeys();
    const produced = runJwcrypto([
      ...signingCases.map((testCase) => ({
        op: 'sign', jwk: signingMaterial(testCase.alg).privateJwk, alg: testCase.alg, kid: 'py-1',
        payload: b64u(bodyOf(testCase)), detached: testCase.detached, b64: testCase.b64,
      })),
      ...encryptionCases.map((testCase, index) => ({
        op: 'encrypt', jwk: encryptionMaterial(index).publicJwk, alg: testCase.alg, enc: testCase.enc, kid: 'py-1', plaintext: b64u(payload),
      })),
    ]);
    fromJwcrypto = produced.slice(0, signingCases.length);
    encryptedByJwcrypto = produced.slice(signingCases.length);

    signedBySignet = await Promise.all(
      signingCases.map((testCase) => {
        const material = signingMaterial(testCase.alg);
        return signCompact({ key: material.description, privateKey: material.privateKey, secret: material.secret, alg: testCase.alg, payload: bodyOf(testCase), kid: 'ts-1', detached: testCase.detached, b64: testCase.b64 });
      }),
    );
    encryptedBySignet = await Promise.all(
      encryptionCases.map((testCase, index) => {
        const material = encryptionMaterial(index);
        return encryptCompact({ publicKey: material.publicKey, secret: material.secret, keyType: material.keyType, alg: testCase.alg, enc: testCase.enc, plaintext: payload, kid: 'ts-1' });
      }),
    );
    const checked = runJwcrypto([
      ...signingCases.map((testCase, index) => ({
        op: 'verify', jwk: signingMaterial(testCase.alg).publicJwk, token: signedBySignet[index],
        ...(testCase.detached ? { payload: b64u(bodyOf(testCase)) } : {}),
      })),
      ...encryptionCases.map((_testCase, index) => ({ op: 'decrypt', jwk: encryptionMaterial(index).privateJwk, token: encryptedBySignet[index] })),
    ]);
    verdictsOfJwcrypto = checked.slice(0, signingCases.length);
    decryptedByJwcrypto = checked.slice(signingCases.length);
  }, 120_000);

  it.each(signingCases.map((testCase, index) => [describeSigning(testCase), index] as const))('verifies %s signed by jwcrypto', async (_name, index) => {
    const testCase = signingCases[index];
    const token = fromJwcrypto[index]?.token;
    if (!testCase || !token) throw new Error('jwcrypto produced no token');
    const material = signingMaterial(testCase.alg);
    const verified = await verifyCompact(token, {
      key: material.description, publicKey: material.publicKey, secret: material.secret,
      ...(testCase.detached ? { payload: bodyOf(testCase) } : {}),
    });
    expect(verified.header).toMatchObject({ alg: testCase.alg, kid: 'py-1' });
    expect(decoder.decode(verified.payload)).toBe(decoder.decode(bodyOf(testCase)));
  });

  it.each(signingCases.map((testCase, index) => [describeSigning(testCase), index] as const))('jwcrypto verifies %s signed by Signet', (_name, index) => {
    const testCase = signingCases[index];
    const verdict = verdictsOfJwcrypto[index];
    expect(verdict).toMatchObject({ ok: true });
    if (testCase && !testCase.detached) expect(verdict?.payload).toBe(b64u(bodyOf(testCase)));
  });

  const encryptionNames = encryptionCases.map((testCase, index) => [`${testCase.alg} + ${testCase.enc} to ${testCase.recipient}`, index] as const);

  it.each(encryptionNames)('decrypts %s encrypted by jwcrypto', async (_name, index) => {
    const token = encryptedByJwcrypto[index]?.token;
    if (!token) throw new Error('jwcrypto produced no token');
    const material = encryptionMaterial(index);
    const decrypted = await decryptCompact(token, { privateKey: material.privateKey, secret: material.secret, keyType: material.keyType });
    expect(decrypted.header.kid).toBe('py-1');
    expect(decoder.decode(decrypted.plaintext)).toBe(decoder.decode(payload));
  });

  it.each(encryptionNames)('jwcrypto decrypts %s encrypted by Signet', (_name, index) => {
    expect(decryptedByJwcrypto[index]).toEqual({ ok: true, plaintext: b64u(payload) });
  });

  it('jwcrypto rejects a Signet signature over a changed payload (the check is real)', () => {
    const index = signingCases.findIndex((testCase) => testCase.alg === 'ES256' && testCase.detached && testCase.b64);
    const [verdict] = runJwcrypto([{ op: 'verify', jwk: signingMaterial('ES256').publicJwk, token: signedBySignet[index], payload: b64u(encoder.encode('{"orderId":"A-1002"}')) }]);
    expect(verdict).toMatchObject({ ok: false });
  });
});

if (!available) {
  describe('interop with python3-jwcrypto', () => {
    it.skip('is skipped: /usr/bin/python3 cannot import jwcrypto (install it with: apt-get install -y python3-jwcrypto)', () => {});
  });
}
