import type { KeyObject } from 'node:crypto';

export type { CertificateInfo } from './certificate-info.ts';

import type { Curve, KeyType, KeyUse } from './names.ts';

export type { Curve, KeyType, KeyUse } from './names.ts';

export const RSA_SIZES = [2048, 3072, 4096] as const;
export const CURVES: readonly Curve[] = ['P-256', 'P-384', 'P-521'];

/** Key files are small; anything bigger is a mistake (or an attempt to make a parser work hard). */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** What to generate. `bits` is for RSA (and the HMAC secret length), `curve` for EC. */
export interface KeySpec {
  type: KeyType;
  bits?: number;
  curve?: Curve;
}

/** An asymmetric key as parsed or generated: the public half always, the private half when held. */
export interface AsymmetricKey {
  type: Exclude<KeyType, 'hmac'>;
  /** RSA modulus length in bits. */
  size?: number;
  curve?: Curve;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

/** One key found in an imported file (a JWKS or a PKCS#12 can hold several). */
export interface ParsedKey extends AsymmetricKey {
  /** DER certificates belonging to this key, leaf first. */
  certificates: Buffer[];
  /** From a JWK, when it carried them. */
  kid?: string;
  alg?: string;
  use?: KeyUse;
  /** From a PKCS#12 bag's friendlyName attribute, when it had one. */
  friendlyName?: string;
}

/** The result of reading a key file: asymmetric keys, or (from an `oct` JWK) HMAC secrets. */
export interface ParsedKeyFile {
  format: 'pem' | 'der' | 'jwk' | 'jwks' | 'pkcs12';
  keys: ParsedKey[];
  /** `use` as the JWK wrote it, whatever its value, and its `key_ops`. */
  secrets: { secret: Buffer; kid?: string; alg?: string; use?: string; keyOps?: string[] }[];
}
