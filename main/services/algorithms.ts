import { allowedSigningAlgs } from '../core/jose/algorithms.ts';
import type { Curve, KeyType, KeyUse } from '../core/keys/types.ts';

const KEY_MANAGEMENT: Record<KeyType, string[]> = {
  rsa: ['RSA-OAEP-256', 'RSA-OAEP', 'RSA-OAEP-384', 'RSA-OAEP-512'],
  ec: ['ECDH-ES+A256KW', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW'],
  x25519: ['ECDH-ES+A256KW', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW'],
  ed25519: [],
  hmac: [],
};

/** The algorithms a stored key may be labelled with, the default first. */
export function keyAlgorithms(type: KeyType, curve: Curve | null, use: KeyUse): string[] {
  if (use === 'enc') return KEY_MANAGEMENT[type];
  return type === 'x25519' ? [] : allowedSigningAlgs({ type, ...(curve && { curve }) });
}
