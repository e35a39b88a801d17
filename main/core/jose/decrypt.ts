import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { compactDecrypt } from 'jose';
import { SignetError } from '../errors.ts';
import type { KeyType } from '../keys/types.ts';
import {
  checkContentEncryptionAlg,
  checkKeyManagementAlg,
  checkSecretLength,
  isPbes2,
  quote,
  type ContentEncryptionAlg,
  type KeyDescription,
  type KeyManagementAlg,
} from './algorithms.ts';
import { checkTokenSize, isBase64Url, isPlainObject, parseHeaderSegment } from './encoding.ts';
import { fromDecryptionFailure } from './failures.ts';
import { describeKey, privateMaterial } from './key-material.ts';

export interface DecryptCompactOptions {
  privateKey?: KeyObject;
  /** AES key-wrap / dir secret, or the password for PBES2. */
  secret?: Buffer;
  keyType: KeyType;
  /** Narrows the key-management algorithms the key allows. */
  algorithms?: readonly string[];
  /** Narrows the content-encryption algorithms. */
  contentAlgorithms?: readonly string[];
  /** PBES2 (password-based) JWEs are refused unless this is set. */
  allowPbes2?: boolean;
  /** Highest PBES2 iteration count accepted (default 310 000, OWASP's PBKDF2-SHA256 figure). */
  maxPbes2Count?: number;
}

export interface DecryptedJwe {
  header: Record<string, unknown>;
  plaintext: Uint8Array;
  alg: KeyManagementAlg;
  enc: ContentEncryptionAlg;
}

export const DEFAULT_MAX_PBES2_COUNT = 310_000;

const PART_NAMES = ['protected header', 'encrypted key', 'initialization vector', 'ciphertext', 'authentication tag'] as const;

/**
 * Decrypts a compact JWE. Refusals that protect the receiver come before any cryptography: `zip`
 * (decompression bombs), PBES2 with a huge `p2c` (CPU exhaustion), an `epk` that is not a public key
 * on the recipient's curve (invalid-curve attack). Failures of the cryptography itself say only
 * "decryption failed".
 */
export async function decryptCompact(jwe: string, options: DecryptCompactOptions): Promise<DecryptedJwe> {
  checkTokenSize(jwe);
  const compact = jwe.trim();
  const parts = compact.split('.');
  if (parts.length !== 5) {
    const hint = parts.length === 3 ? ' (3 parts: this is a JWS, verify it instead)' : '';
    throw new SignetError('ERR_JOSE_MALFORMED', `a compact JWE has 5 dot-separated parts; this has ${parts.length}${hint}`);
  }
  parts.forEach((part, index) => {
    if (!isBase64Url(part)) throw new SignetError('ERR_JOSE_MALFORMED', `the JWE ${PART_NAMES[index] ?? 'part'} is not base64url`);
  });
  const header = parseHeaderSegment(parts[0] ?? '', 'JWE header');
  // A few hundred bytes of DEFLATE can inflate to gigabytes; RFC 8725 §3.6 advises against zip anyway.
  if ('zip' in header) throw new SignetError('ERR_JOSE_UNSUPPORTED', 'compressed JWE refused: decompression bombs');
  if (header.crit !== undefined) {
    const names = quote(JSON.stringify(header.crit));
    throw new SignetError('ERR_JOSE_UNSUPPORTED', `"crit" names ${names}, extensions Signet does not understand: JWE refused (RFC 7516 §4.1.13)`);
  }
  if (header.alg === 'RSA1_5') {
    throw new SignetError(
      'ERR_JOSE_UNSUPPORTED',
      'RSA1_5 JWEs cannot be decrypted here: Node.js no longer does PKCS#1 v1.5 decryption ' +
        '(the Marvin padding-oracle attack, CVE-2023-46809); ask the sender for RSA-OAEP-256',
    );
  }
  const maxPbes2Count = options.maxPbes2Count ?? DEFAULT_MAX_PBES2_COUNT;
  if (typeof header.alg === 'string' && isPbes2(header.alg)) checkPbes2Count(header.p2c, maxPbes2Count);
  const alg = checkKeyManagementAlg(header.alg, options.keyType, 'decrypt', { allowPbes2: options.allowPbes2 });
  if (options.algorithms && !options.algorithms.includes(alg)) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${alg} is not among the algorithms allowed here (${options.algorithms.join(', ')})`);
  }
  const enc = checkContentEncryptionAlg(header.enc);
  if (options.contentAlgorithms && !options.contentAlgorithms.includes(enc)) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `enc ${enc} is not among the algorithms allowed here (${options.contentAlgorithms.join(', ')})`);
  }
  const curve = options.privateKey ? describeKey(options.privateKey).curve : undefined;
  const key = privateMaterial({ key: { type: options.keyType, curve }, privateKey: options.privateKey, secret: options.secret }, 'decryption');
  if (key instanceof Uint8Array) checkSecretLength(alg, enc, key.length);
  else if (alg.startsWith('ECDH-ES')) checkEphemeralKey(header.epk, key);
  try {
    const result = await compactDecrypt(compact, key, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [enc],
      maxPBES2Count: maxPbes2Count,
    });
    return { header, plaintext: result.plaintext, alg, enc };
  } catch (error) {
    throw fromDecryptionFailure(error, alg);
  }
}

function checkPbes2Count(p2c: unknown, limit: number): void {
  if (typeof p2c !== 'number' || !Number.isSafeInteger(p2c) || p2c < 1) {
    throw new SignetError('ERR_JOSE_MALFORMED', '"p2c" (PBES2 count) must be a positive integer (RFC 7518 §4.8.1.2)');
  }
  if (p2c > limit) {
    throw new SignetError('ERR_JOSE_UNSUPPORTED', `PBES2 count p2c=${p2c} is above the limit of ${limit}: refused (an attacker-chosen count exhausts the CPU)`);
  }
}

/**
 * The sender's ephemeral key must be a public key on the recipient's own curve. A point off the curve
 * would let a sender probe the recipient's private key (the invalid-curve attack).
 */
function checkEphemeralKey(epk: unknown, recipient: KeyObject): void {
  const actual = ephemeralKeyOf(epk);
  const expected = describeKey(recipient);
  if (!sameKind(actual, expected)) {
    throw new SignetError('ERR_JOSE_MALFORMED', `the "epk" is ${kindOf(actual)}, but the recipient key is ${kindOf(expected)}`);
  }
}

/**
 * What an ECDH-ES JWE's `epk` is (type and curve), refused as malformed when it is no public key at all:
 * missing, carrying "d", off its curve (Node refuses such a point on import, which this relies on).
 */
export function ephemeralKeyOf(epk: unknown): KeyDescription {
  if (!isPlainObject(epk)) throw new SignetError('ERR_JOSE_MALFORMED', 'ECDH-ES needs an "epk" (ephemeral public key) object in the header');
  if ('d' in epk) throw new SignetError('ERR_JOSE_MALFORMED', 'the "epk" carries a private key ("d"); refused');
  let ephemeral: KeyObject;
  try {
    ephemeral = createPublicKey({ key: epk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the "epk" is not a valid public key: not a point on its curve (invalid-curve attack refused)');
  }
  try {
    return describeKey(ephemeral);
  } catch {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the "epk" is on a curve Signet does not use');
  }
}

/** Whether two keys are of one type and curve: only then can one be the other's ECDH peer. */
export function sameKind(a: KeyDescription, b: KeyDescription): boolean {
  return a.type === b.type && a.curve === b.curve;
}

/** A key's curve, or its type where it has none, as refusals name it. */
export function kindOf(key: KeyDescription): string {
  return key.curve ?? key.type;
}
