import type { Curve, KeyType, KeyUse } from '../../../main/services/views.ts';

// The algorithms offered for a key, its default first. A mirror of the service's allow-list for the
// form's choices only: the service checks again and its error is shown if they ever disagree.

const RSA_SIGNING = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const ECDSA: Record<Curve, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const RSA_OAEP = ['RSA-OAEP-256', 'RSA-OAEP', 'RSA-OAEP-384', 'RSA-OAEP-512'];
const ECDH = ['ECDH-ES+A256KW', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW'];

export function algorithmChoices(type: KeyType, curve: Curve | null, use: KeyUse): string[] {
  if (use === 'enc') {
    if (type === 'rsa') return RSA_OAEP;
    if (type === 'ec' || type === 'x25519') return ECDH;
    return [];
  }
  switch (type) {
    case 'rsa':
      return RSA_SIGNING;
    case 'ec':
      return [ECDSA[curve ?? 'P-256']];
    case 'ed25519':
      return ['EdDSA'];
    case 'hmac':
      return ['HS256', 'HS384', 'HS512'];
    case 'x25519':
      return [];
  }
}

/** What a key of this type can be used for. */
export function usesFor(type: KeyType): KeyUse[] {
  if (type === 'x25519') return ['enc'];
  if (type === 'ed25519' || type === 'hmac') return ['sig'];
  return ['sig', 'enc'];
}
