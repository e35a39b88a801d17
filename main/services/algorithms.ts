import { allowedKeyManagementAlgs, allowedSigningAlgs, defaultKeyManagementAlg, defaultSigningAlg } from '../core/jose/algorithms.ts';
import type { Curve, KeyType, KeyUse } from '../core/keys/types.ts';

/**
 * The algorithms a stored key may be labelled with, its default first. Stored HMAC secrets are for
 * signatures only (X-OPG-Signature, HS*): Signet does not label them for key wrapping.
 */
export function keyAlgorithms(type: KeyType, curve: Curve | null, use: KeyUse): string[] {
  if (use === 'enc') {
    if (type === 'hmac' || type === 'ed25519') return [];
    const first = defaultKeyManagementAlg(type);
    return [first, ...allowedKeyManagementAlgs(type, 'encrypt').filter((alg) => alg !== first)];
  }
  if (type === 'x25519') return [];
  const key = { type, ...(curve && { curve }) };
  const first = defaultSigningAlg(key);
  return [first, ...allowedSigningAlgs(key).filter((alg) => alg !== first)];
}
