import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { CompactEncrypt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../main/core/jose/decode.ts';
import { decryptCompact } from '../../main/core/jose/decrypt.ts';
import { encryptCompact } from '../../main/core/jose/encrypt.ts';
import { signCompact } from '../../main/core/jose/sign.ts';
import { verifyCompact } from '../../main/core/jose/verify.ts';
import type { KeyDescription } from '../../main/core/jose/algorithms.ts';
import type { KeyType } from '../../main/core/keys/types.ts';
import { b64u, budget, MARKER, mutated, mutatedText, outcome } from './support.ts';

// Tokens are read from captures and pasted by users: every part of a JWS or JWE is hostile input.
// Beyond "only typed errors", the fuzzers check soundness: a mutated token that still verifies or
// decrypts must carry exactly the payload that was signed or encrypted.

const PAYLOAD = Buffer.from(JSON.stringify({ sub: 'merchant-7', card: MARKER, exp: 4102444800 }));
const VERIFY_CODES = new Set(['ERR_JOSE_MALFORMED', 'ERR_JOSE_UNSUPPORTED', 'ERR_ALG_NOT_ALLOWED', 'ERR_VERIFY_FAILED', 'ERR_BAD_INPUT', 'ERR_TOO_LARGE']);
const DECRYPT_CODES = new Set(['ERR_JOSE_MALFORMED', 'ERR_JOSE_UNSUPPORTED', 'ERR_ALG_NOT_ALLOWED', 'ERR_DECRYPT_FAILED', 'ERR_KEY_UNSUITABLE', 'ERR_TOO_LARGE']);
const DECODE_CODES = new Set(['ERR_JOSE_MALFORMED', 'ERR_TOO_LARGE']);

interface SignedSeed {
  token: string;
  key: KeyDescription;
  publicKey?: KeyObject;
  secret?: Buffer;
  detachedPayload?: Buffer;
}
interface EncryptedSeed {
  token: string;
  keyType: KeyType;
  privateKey?: KeyObject;
  secret?: Buffer;
  allowPbes2?: boolean;
}

let signed: SignedSeed[];
let encrypted: EncryptedSeed[];
/** Secrets of the seeds' keys (HMAC and dir secrets, a PBES2 password): never in a message. */
const secrets = [MARKER];

beforeAll(async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const hmac = Buffer.from(`${MARKER}${MARKER}`);
  const dirKey = randomBytes(32);
  secrets.push(hmac.toString('base64url'), dirKey.toString('base64url'));
  signed = [
    { token: await signCompact({ key: { type: 'ec', curve: 'P-256' }, privateKey: ec.privateKey, payload: PAYLOAD, kid: 'merchant-ec' }), key: { type: 'ec', curve: 'P-256' }, publicKey: ec.publicKey },
    { token: await signCompact({ key: { type: 'ed25519' }, privateKey: ed.privateKey, payload: PAYLOAD, kid: 'ed', typ: 'JWT' }), key: { type: 'ed25519' }, publicKey: ed.publicKey },
    { token: await signCompact({ key: { type: 'hmac' }, secret: hmac, payload: PAYLOAD, kid: 'OPG-1' }), key: { type: 'hmac' }, secret: hmac },
    {
      token: await signCompact({ key: { type: 'rsa' }, privateKey: rsa.privateKey, alg: 'PS256', payload: PAYLOAD, kid: 'rsa', detached: true, b64: false }),
      key: { type: 'rsa' },
      publicKey: rsa.publicKey,
      detachedPayload: PAYLOAD,
    },
  ];
  const pbes2 = await new CompactEncrypt(PAYLOAD).setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM', p2c: 1000 }).encrypt(Buffer.from(MARKER));
  encrypted = [
    { token: await encryptCompact({ publicKey: rsa.publicKey, keyType: 'rsa', plaintext: PAYLOAD, kid: 'rsa-enc' }), keyType: 'rsa', privateKey: rsa.privateKey },
    { token: await encryptCompact({ publicKey: ec.publicKey, keyType: 'ec', plaintext: PAYLOAD, kid: 'ec-enc' }), keyType: 'ec', privateKey: ec.privateKey },
    { token: await encryptCompact({ secret: dirKey, keyType: 'hmac', alg: 'dir', enc: 'A256GCM', plaintext: PAYLOAD }), keyType: 'hmac', secret: dirKey },
    { token: pbes2, keyType: 'hmac', secret: Buffer.from(MARKER), allowPbes2: true },
  ];
});

/** Token mutations at three depths: characters of the text, bytes of the header JSON, whole segments. */
function mutatedTokens(tokens: readonly string[]): fc.Arbitrary<string> {
  const textLevel = mutatedText(tokens, 4);
  const headerLevel = fc
    .tuple(fc.constantFrom(...tokens), fc.nat())
    .chain(([token]) => {
      const [header = '', ...rest] = token.split('.');
      return mutated([Buffer.from(header, 'base64url')], 4).map((json) => [b64u(json), ...rest].join('.'));
    });
  const segmentLevel = fc.tuple(fc.constantFrom(...tokens), fc.nat({ max: 4 }), fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ maxLength: 16 }), fc.constant(''))).map(([token, index, replacement]) => {
    const parts = token.split('.');
    if (index < parts.length) parts[index] = replacement.replace(/=+$/, '');
    return parts.join('.');
  });
  return fc.oneof(textLevel, headerLevel, segmentLevel);
}

function seedOf<T extends { token: string }>(seeds: T[], index: number): T {
  const seed = seeds[index % seeds.length];
  if (!seed) throw new Error('no seed');
  return seed;
}

describe('JOSE under mutation', () => {
  it('decodes any mutated JWS or JWE, or refuses it as malformed', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedTokens([...signed, ...encrypted].map((seed) => seed.token)), async (token) => {
        const result = await outcome(() => decodeToken(token), secrets);
        if (!result.ok) expect(DECODE_CODES.has(result.error.code)).toBe(true);
      }),
      budget(1500),
    );
  });

  it('verifies a mutated JWS only when it still carries the signed payload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (pick, salt) => {
        const seed = seedOf(signed, pick);
        const [token] = fc.sample(mutatedTokens([seed.token]), { numRuns: 1, seed: salt });
        const result = await outcome(
          () =>
            verifyCompact(token ?? '', {
              key: seed.key,
              ...(seed.publicKey && { publicKey: seed.publicKey }),
              ...(seed.secret && { secret: seed.secret }),
              ...(seed.detachedPayload && { payload: seed.detachedPayload }),
            }),
          secrets,
        );
        if (result.ok) expect(Buffer.from(result.value.payload).equals(PAYLOAD)).toBe(true);
        else expect(VERIFY_CODES.has(result.error.code)).toBe(true);
      }),
      budget(1200),
    );
  });

  it('decrypts a mutated JWE only to the plaintext that was encrypted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (pick, salt) => {
        const seed = seedOf(encrypted, pick);
        const [token] = fc.sample(mutatedTokens([seed.token]), { numRuns: 1, seed: salt });
        const result = await outcome(
          () =>
            decryptCompact(token ?? '', {
              keyType: seed.keyType,
              ...(seed.privateKey && { privateKey: seed.privateKey }),
              ...(seed.secret && { secret: seed.secret }),
              ...(seed.allowPbes2 && { allowPbes2: true }),
            }),
          secrets,
        );
        if (result.ok) expect(Buffer.from(result.value.plaintext).equals(PAYLOAD)).toBe(true);
        else expect(DECRYPT_CODES.has(result.error.code)).toBe(true);
      }),
      budget(800),
    );
  });

  it('refuses arbitrary JSON as a JOSE header with a typed error', async () => {
    const ec = signed[0];
    await fc.assert(
      fc.asyncProperty(fc.json({ maxDepth: 3 }), async (json) => {
        const token = `${b64u(json)}.${b64u(PAYLOAD)}.${b64u(randomBytes(64))}`;
        const result = await outcome(() => verifyCompact(token, { key: { type: 'ec', curve: 'P-256' }, ...(ec?.publicKey && { publicKey: ec.publicKey }) }), secrets);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(VERIFY_CODES.has(result.error.code)).toBe(true);
      }),
      budget(400),
    );
  });
});
