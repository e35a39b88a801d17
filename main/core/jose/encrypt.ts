import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { SignetError } from '../errors.ts';
import type { KeyType } from '../keys/types.ts';
import {
  DEFAULT_CONTENT_ENCRYPTION,
  checkContentEncryptionAlg,
  checkKeyManagementAlg,
  checkSecretLength,
  defaultKeyManagementAlg,
  isKeyManagementAlg,
  quote,
  type ContentEncryptionAlg,
  type KeyManagementAlg,
} from './algorithms.ts';
import { fromEncryptionFailure } from './failures.ts';
import { describeKey, publicMaterial } from './key-material.ts';

export interface EncryptCompactInput {
  publicKey?: KeyObject;
  secret?: Buffer;
  keyType: KeyType;
  /** Defaults: RSA-OAEP-256 for RSA, ECDH-ES+A256KW for EC/X25519, AES key wrap sized to a secret. */
  alg?: string;
  /** Defaults to A256GCM. */
  enc?: string;
  plaintext: Uint8Array;
  kid?: string;
  cty?: string;
}

/** Encrypts to a recipient's public key (or a shared secret) as a compact JWE (RFC 7516 §7.1). */
export async function encryptCompact(input: EncryptCompactInput): Promise<string> {
  const secretBytes = input.keyType === 'hmac' ? input.secret?.length : undefined;
  const alg = input.alg === undefined ? defaultKeyManagementAlg(input.keyType, secretBytes) : checkKeyManagementAlg(input.alg, input.keyType, 'encrypt');
  const enc = input.enc === undefined ? DEFAULT_CONTENT_ENCRYPTION : checkContentEncryptionAlg(input.enc);
  if (secretBytes !== undefined) checkSecretLength(alg, enc, secretBytes);
  const curve = input.publicKey ? describeKey(input.publicKey).curve : undefined;
  const key = publicMaterial({ key: { type: input.keyType, curve }, publicKey: input.publicKey, secret: input.secret }, 'encryption');
  const header: Record<string, unknown> = { alg, enc };
  if (input.kid !== undefined) header.kid = input.kid;
  if (input.cty !== undefined) header.cty = input.cty;
  try {
    return await new CompactEncrypt(input.plaintext).setProtectedHeader(header as { alg: KeyManagementAlg; enc: ContentEncryptionAlg }).encrypt(key);
  } catch (error) {
    throw fromEncryptionFailure(error, alg);
  }
}

export interface EncryptForOptions {
  alg?: string;
  enc?: string;
  /** Defaults to the JWK's own `kid`. */
  kid?: string;
  cty?: string;
}

/** JWK members that only a private (or symmetric) key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** `key_ops` values (RFC 7517 §4.3) under which a public key may be encrypted to: key transport or ECDH. */
const ENCRYPTION_OPS = ['encrypt', 'wrapKey', 'deriveKey', 'deriveBits'];

/**
 * The id of an ephemeral session, which is also the `kid` of the public JWK it hands out (and so of the
 * JWE encryptFor makes to it): `e_` and 16 hex digits.
 */
export const EPHEMERAL_SESSION_ID = /^e_[0-9a-f]{16}$/;

/**
 * The third party's side of the ephemeral-key scheme, as a library call: encrypt `plaintext` to a
 * public JWK that a browser sent. A JWK carrying private members is refused: whoever holds it should
 * never have had it, and the sender must make a new key pair.
 */
export async function encryptFor(publicJwk: JsonWebKey, plaintext: string | Uint8Array, options: EncryptForOptions = {}): Promise<string> {
  if (typeof publicJwk !== 'object' || publicJwk === null) throw new SignetError('ERR_KEY_FORMAT', 'expected a public JWK object');
  const present = PRIVATE_MEMBERS.filter((member) => member in publicJwk);
  if (present.length > 0) {
    throw new SignetError('ERR_KEY_FORMAT', `this JWK holds private key material (${present.join(', ')}); encryptFor takes only the recipient's public key`);
  }
  const alg = recipientAlg({ use: publicJwk.use, alg: publicJwk.alg }, options.alg, 'this JWK');
  checkKeyOps(publicJwk.key_ops);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: publicJwk, format: 'jwk' });
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', 'the JWK is not a valid RSA, EC or OKP public key');
  }
  const { type } = describeKey(publicKey);
  const kid = options.kid ?? (typeof publicJwk.kid === 'string' ? publicJwk.kid : undefined);
  return encryptCompact({
    publicKey,
    keyType: type,
    alg,
    enc: options.enc,
    plaintext: typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext,
    kid,
    cty: options.cty,
  });
}

/**
 * The algorithm to encrypt to a key with, given what the key says of itself (RFC 7517 §4.2, §4.4): one
 * marked for signatures, or whose "alg" is a signing algorithm, is not encrypted to, and one whose "alg"
 * names a key-management algorithm takes no other. `what` names the key in refusals.
 */
export function recipientAlg(declared: { use?: unknown; alg?: unknown }, requested: string | undefined, what: string): string | undefined {
  if (declared.use !== undefined && declared.use !== 'enc') {
    throw new SignetError('ERR_KEY_UNSUITABLE', `${what} is marked "use": ${quote(String(declared.use))}; encryption needs a key for "enc"`);
  }
  if (declared.alg === undefined) return requested;
  if (typeof declared.alg !== 'string') throw new SignetError('ERR_KEY_FORMAT', `the "alg" of ${what} is not a string (RFC 7517 §4.4)`);
  // RSA1_5 is let through to be refused by name (checkKeyManagementAlg says what to use instead).
  if (!isKeyManagementAlg(declared.alg) && declared.alg !== 'RSA1_5') {
    throw new SignetError('ERR_KEY_UNSUITABLE', `${what} is for ${quote(declared.alg)} only: nothing is encrypted to it`);
  }
  if (requested !== undefined && requested !== declared.alg) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `${what} is for ${declared.alg} only: ${requested} refused`);
  }
  return requested ?? declared.alg;
}

/**
 * A `key_ops` that allows none of the encryption operations marks a key not meant for it (RFC 7517
 * §4.3). An empty list is accepted: WebCrypto exports every ECDH public key (and an RSA-OAEP one made
 * to decrypt only) with `"key_ops": []`, and those are exactly the keys browsers send.
 */
function checkKeyOps(keyOps: unknown): void {
  if (keyOps === undefined) return;
  if (!Array.isArray(keyOps) || !keyOps.every((op) => typeof op === 'string')) {
    throw new SignetError('ERR_KEY_FORMAT', '"key_ops" must be an array of strings (RFC 7517 §4.3)');
  }
  if (keyOps.length > 0 && !keyOps.some((op) => ENCRYPTION_OPS.includes(op))) {
    throw new SignetError('ERR_KEY_UNSUITABLE', `this JWK's "key_ops" ${quote(keyOps.join(', '))} allow no encryption: encrypting to it needs one of ${ENCRYPTION_OPS.join(', ')} (RFC 7517 §4.3)`);
  }
}
