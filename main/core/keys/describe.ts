import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import type { AsymmetricKey, Curve } from './types.ts';

const NAMED_CURVES: Record<string, Curve> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Reads type, size and curve off a KeyObject; refuses key types Signet does not handle. */
export function describeKeyObject(key: KeyObject): Pick<AsymmetricKey, 'type' | 'size' | 'curve'> {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { type: 'rsa', size: details.modulusLength };
    case 'ec': {
      const curve = details.namedCurve ? NAMED_CURVES[details.namedCurve] : undefined;
      if (!curve) throw new SignetError('ERR_KEY_FORMAT', `unsupported EC curve ${details.namedCurve ?? '(unnamed)'}; use P-256, P-384 or P-521`);
      return { type: 'ec', curve };
    }
    case 'ed25519':
      return { type: 'ed25519' };
    case 'x25519':
      return { type: 'x25519' };
    default:
      throw new SignetError('ERR_KEY_FORMAT', `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}; Signet handles RSA, EC (P-256/384/521), Ed25519 and X25519`);
  }
}

/**
 * RFC 7518 §3.3, §3.5 (RS*, PS*) and §4.2, §4.3 (RSA1_5, RSA-OAEP*): a key of 2048 bits or larger MUST be
 * used. jose refuses smaller ones at use, so such a key would import as active and then fail every check.
 */
const MIN_RSA_BITS = 2048;

/**
 * describeKeyObject for a key read from a file, which every import (PEM, DER, JWK, PKCS#12, certificate)
 * passes through: also refuses a key Signet could hold but never use.
 */
export function describeImportedKey(key: KeyObject): Pick<AsymmetricKey, 'type' | 'size' | 'curve'> {
  const described = describeKeyObject(key);
  const bits = described.size ?? 0;
  if (described.type === 'rsa' && bits < MIN_RSA_BITS) {
    throw new SignetError('ERR_KEY_FORMAT', `the RSA key is ${bits} bits; JOSE requires at least ${MIN_RSA_BITS} (RFC 7518 §3.3, §3.5), so it could never be used`);
  }
  return described;
}

/**
 * Whether two keys have the same public half, by their SPKI bytes. Not `KeyObject.equals`: on Node 20,
 * comparing keys of different types leaves an OpenSSL error queued that makes the next key import fail.
 */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const spki = (key: KeyObject) => (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return spki(a).equals(spki(b));
}

/**
 * Whether a private key belongs to a public key. OpenSSL takes the public point (EC) or members (JWK) a
 * file states next to the private ones on trust, so a damaged or edited key would import and then never
 * sign: a test signature (X25519, which cannot sign: re-derivation) proves the halves match.
 * 'unusable' when the private key cannot be used at all (OpenSSL imports some out-of-range scalars).
 */
export function checkKeyPair(publicKey: KeyObject, privateKey: KeyObject): 'matches' | 'different-keys' | 'unusable' {
  let matches: boolean;
  try {
    if (privateKey.asymmetricKeyType === 'x25519') {
      matches = samePublicKey(privateKey, publicKey);
    } else {
      const probe = Buffer.from('signet key consistency check');
      const digest = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      matches = verify(digest, probe, publicKey, sign(digest, probe, privateKey));
    }
  } catch {
    return 'unusable';
  }
  return matches ? 'matches' : 'different-keys';
}
