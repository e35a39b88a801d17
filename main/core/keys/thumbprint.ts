import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const REQUIRED_MEMBERS: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a key: Signet's default `kid`. A private key
 * is reduced to its public half first, so both halves share one thumbprint.
 */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = toJwk(key.type === 'private' ? createPublicKey(key) : key);
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (!members) throw new SignetError('ERR_KEY_FORMAT', `no JWK thumbprint is defined for key type ${String(jwk.kty)}`);
  // §3.3: no whitespace, members in lexicographic order, values as in the JWK (all strings here).
  const canonical = `{${members.map((member) => `${JSON.stringify(member)}:${JSON.stringify(jwk[member])}`).join(',')}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

function toJwk(key: KeyObject): JsonWebKey {
  try {
    return key.export({ format: 'jwk' });
  } catch {
    throw new SignetError('ERR_KEY_FORMAT', `no JWK form exists for key type ${key.asymmetricKeyType ?? key.type}`);
  }
}
