import { SignetError } from '../errors.ts';
import type { Curve, KeyType } from '../keys/types.ts';

/**
 * Explicit allow-lists for JWS and JWE. Every operation checks the token's `alg` against the key it is
 * used with *before* any cryptography runs: that is what stops `alg: none`, RS/HS key confusion and
 * curve swaps (RFC 8725 §2.1, §3.1).
 */

/** What a key is, without the key itself: enough to decide which algorithms fit it. */
export interface KeyDescription {
  type: KeyType;
  curve?: Curve;
}

export const SIGNING_ALGS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA',
  'HS256', 'HS384', 'HS512',
] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const RSA_SIGNING: readonly SigningAlg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const HMAC_SIGNING: readonly SigningAlg[] = ['HS256', 'HS384', 'HS512'];
const ECDSA_BY_CURVE: Record<Curve, SigningAlg> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

export function isSigningAlg(alg: unknown): alg is SigningAlg {
  return typeof alg === 'string' && (SIGNING_ALGS as readonly string[]).includes(alg);
}

/** The signing algorithms a key may use; the first one is the default. */
export function allowedSigningAlgs(key: KeyDescription): SigningAlg[] {
  switch (key.type) {
    case 'rsa':
      return [...RSA_SIGNING];
    case 'ec':
      return key.curve ? [ECDSA_BY_CURVE[key.curve]] : [];
    case 'ed25519':
      return ['EdDSA'];
    case 'hmac':
      return [...HMAC_SIGNING];
    case 'x25519':
      return [];
  }
}

export function defaultSigningAlg(key: KeyDescription): SigningAlg {
  const [first] = allowedSigningAlgs(key);
  if (first === undefined) throw new SignetError('ERR_KEY_UNSUITABLE', cannotSign(key));
  return first;
}

/**
 * Returns `alg` when it fits the key; otherwise throws ERR_ALG_NOT_ALLOWED naming the attack the
 * mismatch would enable (for a token received) or what the key can sign (for one being made), and the
 * algorithms that do fit.
 */
export function checkSigningAlg(alg: unknown, key: KeyDescription, purpose: 'sign' | 'verify' = 'verify'): SigningAlg {
  if (typeof alg !== 'string' || alg === '') {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the JWS header has no "alg" (RFC 7515 §4.1.1)');
  }
  if (alg.toLowerCase() === 'none') {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', 'alg none: unsigned token refused (RFC 8725 §3.1)');
  }
  const allowed = allowedSigningAlgs(key);
  if (isSigningAlg(alg) && allowed.includes(alg)) return alg;
  if (allowed.length === 0) throw new SignetError('ERR_ALG_NOT_ALLOWED', cannotSign(key));
  if (purpose === 'sign') throw new SignetError('ERR_ALG_NOT_ALLOWED', `this ${keyLabel(key)} cannot sign ${quote(alg)}: it signs ${allowed.join(', ')}`);
  const fits = `this ${keyLabel(key)} verifies ${allowed.join(', ')}`;
  if (alg.startsWith('HS') && key.type !== 'hmac') {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `RS/HS key confusion: an HMAC algorithm with a public key (${quote(alg)} refused; ${fits})`);
  }
  if (key.type === 'hmac' && isSigningAlg(alg)) {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `key confusion: asymmetric algorithm ${alg} with an HMAC secret refused; ${fits}`);
  }
  throw new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${quote(alg)} is not allowed here; ${fits}`);
}

// --- JWE -------------------------------------------------------------------------------------

export const KEY_MANAGEMENT_ALGS = [
  'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512',
  'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW',
  'A128KW', 'A192KW', 'A256KW',
  'A128GCMKW', 'A192GCMKW', 'A256GCMKW',
  'dir',
  'PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW',
] as const;
export type KeyManagementAlg = (typeof KEY_MANAGEMENT_ALGS)[number];

export const CONTENT_ENCRYPTION_ALGS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'] as const;
export type ContentEncryptionAlg = (typeof CONTENT_ENCRYPTION_ALGS)[number];

const RSA_OAEP: readonly KeyManagementAlg[] = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512'];
const ECDH: readonly KeyManagementAlg[] = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'];
const SECRET: readonly KeyManagementAlg[] = ['A128KW', 'A192KW', 'A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW', 'dir'];
const PBES2: readonly KeyManagementAlg[] = ['PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW'];

/** Secret lengths in bytes: key-wrapping keys by `alg`, direct keys by `enc` (RFC 7518 §4.4, §5). */
const WRAP_KEY_BYTES: Partial<Record<KeyManagementAlg, number>> = {
  A128KW: 16, A192KW: 24, A256KW: 32, A128GCMKW: 16, A192GCMKW: 24, A256GCMKW: 32,
};
const CEK_BYTES: Record<ContentEncryptionAlg, number> = {
  A128GCM: 16, A192GCM: 24, A256GCM: 32, 'A128CBC-HS256': 32, 'A192CBC-HS384': 48, 'A256CBC-HS512': 64,
};

export function isKeyManagementAlg(alg: unknown): alg is KeyManagementAlg {
  return typeof alg === 'string' && (KEY_MANAGEMENT_ALGS as readonly string[]).includes(alg);
}

export function isPbes2(alg: string): boolean {
  return alg.startsWith('PBES2-');
}

/** Key-management algorithms for a key type. PBES2 (passwords) only on decrypt, and only on request. */
export function allowedKeyManagementAlgs(keyType: KeyType, purpose: 'encrypt' | 'decrypt', options: { allowPbes2?: boolean } = {}): KeyManagementAlg[] {
  switch (keyType) {
    case 'rsa':
      return [...RSA_OAEP];
    case 'ec':
    case 'x25519':
      return [...ECDH];
    case 'hmac':
      return purpose === 'decrypt' && options.allowPbes2 ? [...SECRET, ...PBES2] : [...SECRET];
    case 'ed25519':
      return [];
  }
}

export function checkKeyManagementAlg(alg: unknown, keyType: KeyType, purpose: 'encrypt' | 'decrypt', options: { allowPbes2?: boolean } = {}): KeyManagementAlg {
  if (typeof alg !== 'string' || alg === '') {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the JWE header has no "alg" (RFC 7516 §4.1.1)');
  }
  if (alg === 'RSA1_5' && purpose === 'encrypt') {
    throw new SignetError(
      'ERR_ALG_NOT_ALLOWED',
      'RSA1_5 refused for new encryption: PKCS#1 v1.5 key transport invites padding-oracle attacks (RFC 8725 §3.2); use RSA-OAEP-256',
    );
  }
  const allowed = allowedKeyManagementAlgs(keyType, purpose, options);
  if (isKeyManagementAlg(alg) && allowed.includes(alg)) return alg;
  if (allowed.length === 0) {
    throw new SignetError('ERR_KEY_UNSUITABLE', 'Ed25519 keys only sign; encrypt to an X25519, EC or RSA key instead');
  }
  if (isPbes2(alg) && keyType === 'hmac') {
    throw new SignetError('ERR_ALG_NOT_ALLOWED', `password-based ${quote(alg)} refused unless PBES2 is explicitly allowed (password guessing, RFC 8725 §3.5)`);
  }
  throw new SignetError('ERR_ALG_NOT_ALLOWED', `alg ${quote(alg)} does not fit this ${keyLabel({ type: keyType })}; use ${allowed.join(', ')}`);
}

export function checkContentEncryptionAlg(enc: unknown): ContentEncryptionAlg {
  if (typeof enc !== 'string' || enc === '') {
    throw new SignetError('ERR_JOSE_MALFORMED', 'the JWE header has no "enc" (RFC 7516 §4.1.2)');
  }
  if ((CONTENT_ENCRYPTION_ALGS as readonly string[]).includes(enc)) return enc as ContentEncryptionAlg;
  throw new SignetError('ERR_ALG_NOT_ALLOWED', `enc ${quote(enc)} is not allowed; use ${CONTENT_ENCRYPTION_ALGS.join(', ')}`);
}

/** RSA-OAEP-256 for RSA, ECDH-ES+A256KW for EC and X25519, AES key wrap sized to a secret. */
export function defaultKeyManagementAlg(keyType: KeyType, secretBytes?: number): KeyManagementAlg {
  switch (keyType) {
    case 'rsa':
      return 'RSA-OAEP-256';
    case 'ec':
    case 'x25519':
      return 'ECDH-ES+A256KW';
    case 'hmac': {
      const wrap = ({ 16: 'A128KW', 24: 'A192KW', 32: 'A256KW' } as const)[secretBytes ?? 0];
      if (wrap) return wrap;
      throw new SignetError('ERR_KEY_UNSUITABLE', 'a secret for AES key wrap is 16, 24 or 32 bytes; pass --alg dir for a content key, or use a key of one of those lengths');
    }
    case 'ed25519':
      throw new SignetError('ERR_KEY_UNSUITABLE', 'Ed25519 keys only sign; encrypt to an X25519, EC or RSA key instead');
  }
}

export const DEFAULT_CONTENT_ENCRYPTION: ContentEncryptionAlg = 'A256GCM';

/** Refuses a secret of the wrong length for `alg`/`enc` up front, with a message saying which length. */
export function checkSecretLength(alg: KeyManagementAlg, enc: ContentEncryptionAlg, secretBytes: number): void {
  if (isPbes2(alg)) return;
  const expected = alg === 'dir' ? CEK_BYTES[enc] : WRAP_KEY_BYTES[alg];
  if (expected !== undefined && expected !== secretBytes) {
    const what = alg === 'dir' ? `dir with ${enc}` : alg;
    throw new SignetError('ERR_KEY_UNSUITABLE', `${what} needs a ${expected}-byte secret; this secret has ${secretBytes} bytes`);
  }
}

function cannotSign(key: KeyDescription): string {
  if (key.type === 'x25519') return 'X25519 keys only agree on keys; they cannot sign (use Ed25519 or an EC key)';
  if (key.type === 'ec') return 'this EC key has no known curve; Signet signs with P-256, P-384 or P-521';
  return `this ${keyLabel(key)} cannot sign`;
}

function keyLabel(key: KeyDescription): string {
  switch (key.type) {
    case 'rsa':
      return 'RSA key';
    case 'ec':
      return key.curve ? `EC ${key.curve} key` : 'EC key';
    case 'ed25519':
      return 'Ed25519 key';
    case 'x25519':
      return 'X25519 key';
    case 'hmac':
      return 'HMAC secret';
  }
}

/** Token headers are attacker-controlled: quote them, bounded, so a message cannot be forged. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
