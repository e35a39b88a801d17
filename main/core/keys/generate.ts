import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.ts';
import { CURVES, RSA_SIZES, type AsymmetricKey, type KeySpec } from './types.ts';

const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;

function pair(type: 'rsa' | 'ec' | 'ed25519' | 'x25519', options: object): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  // Node runs key generation on the libuv thread pool: the event loop stays free, even for RSA-4096.
  return new Promise((resolve, reject) => {
    generateKeyPair(type as 'rsa', options as { modulusLength: number }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ publicKey, privateKey }),
    );
  });
}

export async function generateAsymmetric(spec: KeySpec): Promise<AsymmetricKey> {
  switch (spec.type) {
    case 'rsa': {
      const bits = spec.bits ?? 2048;
      if (!(RSA_SIZES as readonly number[]).includes(bits)) {
        throw new SignetError('ERR_BAD_INPUT', `RSA keys are ${RSA_SIZES.join(', ')} bits; ${bits} is not offered`);
      }
      return { type: 'rsa', size: bits, ...(await pair('rsa', { modulusLength: bits, publicExponent: 0x10001 })) };
    }
    case 'ec': {
      const curve = spec.curve ?? 'P-256';
      if (!CURVES.includes(curve)) throw new SignetError('ERR_BAD_INPUT', `EC curves are ${CURVES.join(', ')}`);
      return { type: 'ec', curve, ...(await pair('ec', { namedCurve: NODE_CURVE[curve] })) };
    }
    case 'ed25519':
    case 'x25519':
      return { type: spec.type, ...(await pair(spec.type, {})) };
    case 'hmac':
      throw new SignetError('ERR_BAD_INPUT', 'HMAC secrets are not key pairs (use generateSecret)');
  }
}

/** An HMAC secret: 256 bits by default (RFC 7518 §3.2 asks for at least the hash size). */
export function generateSecret(bits = 256): Buffer {
  if (bits < 256 || bits > 1024 || bits % 8 !== 0) {
    throw new SignetError('ERR_BAD_INPUT', 'HMAC secrets are 256 to 1024 bits, in whole bytes');
  }
  return randomBytes(bits / 8);
}
