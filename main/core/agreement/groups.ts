import { ECDH, createDiffieHellman, createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignetError } from '../errors.ts';

/**
 * The Diffie-Hellman groups behind the key-agreement schemes, with their wire encodings and the
 * public-key validation every peer key goes through before use (docs/key-agreement.md §2).
 */

export type GroupId = 'modp14' | 'ffdhe3072' | 'P-256' | 'X25519';

export interface AgreementGroup {
  id: GroupId;
  /** Exact length of a public key on the wire. */
  publicKeyBytes: number;
  generate(): { privateKey: Buffer; publicKey: Buffer };
  /** Throws ERR_AGREEMENT_MALFORMED saying why the key is unusable. */
  validatePublicKey(publicKey: Buffer): void;
  publicKeyOf(privateKey: Buffer): Buffer;
  /** The shared secret Z, fixed length: the size of p, or of the field for the curves. */
  sharedSecret(privateKey: Buffer, peerPublicKey: Buffer): Buffer;
}

/** RFC 3526 §3, 2048-bit MODP group 14, generator 2. */
export const MODP14_PRIME_HEX = [
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74',
  '020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437',
  '4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05',
  '98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB',
  '9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B',
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718',
  '3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF',
].join('');

/** RFC 7919 Appendix A.2, ffdhe3072, generator 2. */
export const FFDHE3072_PRIME_HEX = [
  'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695',
  'A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617A',
  'D3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
  '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797A',
  'BC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4',
  'AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
  '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005',
  'C58EF1837D1683B2C6F34A26C1B2EFFA886B4238611FCFDCDE355B3B6519035B',
  'BC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C',
  'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF',
  '5CAE82AB9C9DF69EE86D2BC522363A0DABC521979B0DEADA1DBF9A42D5C4484E',
  '0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF',
].join('');

function finiteFieldGroup(id: 'modp14' | 'ffdhe3072', primeHex: string): AgreementGroup {
  const prime = Buffer.from(primeHex, 'hex');
  const p = BigInt(`0x${primeHex}`);
  // Both primes are safe primes: p = 2q + 1, and 2 generates the subgroup of prime order q.
  const q = (p - 1n) / 2n;
  const size = prime.length;
  const engine = (privateKey: Buffer) => {
    const dh = createDiffieHellman(prime, 2);
    dh.setPrivateKey(privateKey);
    return dh;
  };
  return {
    id,
    publicKeyBytes: size,
    generate() {
      const privateKey = randomExponent(q, size);
      return { privateKey, publicKey: this.publicKeyOf(privateKey) };
    },
    validatePublicKey(publicKey) {
      if (publicKey.length !== size) {
        throw malformed(`a ${id} public key is ${size} bytes (big-endian, left-padded); this one is ${publicKey.length}`);
      }
      const y = BigInt(`0x${publicKey.toString('hex')}`);
      // 0, 1 and p-1 (and anything ≥ p) would force the shared secret into a tiny set.
      if (y <= 1n || y >= p - 1n) throw malformed(`the ${id} public key is 0, 1, p-1 or not below p`);
      // Subgroup check (NIST SP 800-56A §5.6.2.3.1): y^q = 1 mod p, else y leaks a bit of our key.
      if (modPow(y, q, p) !== 1n) throw malformed(`the ${id} public key is not in the prime-order subgroup`);
    },
    publicKeyOf(privateKey) {
      const dh = engine(privateKey);
      dh.generateKeys();
      return leftPad(dh.getPublicKey(), size);
    },
    sharedSecret(privateKey, peerPublicKey) {
      return leftPad(engine(privateKey).computeSecret(peerPublicKey), size);
    },
  };
}

/** A private exponent drawn uniformly from [2, q-1] by rejection sampling. */
function randomExponent(q: bigint, size: number): Buffer {
  for (;;) {
    const candidate = randomBytes(size);
    candidate[0] = (candidate[0] ?? 0) & 0x7f; // q < 2^(8·size - 1): keeps the rejection rate tiny
    const x = BigInt(`0x${candidate.toString('hex')}`);
    if (x >= 2n && x < q) return candidate;
  }
}

/** Square-and-multiply on public values only (the subgroup check); private-key maths stays in OpenSSL. */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const P256: AgreementGroup = {
  id: 'P-256',
  publicKeyBytes: 65,
  generate() {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { privateKey: leftPad(ecdh.getPrivateKey(), 32), publicKey: ecdh.getPublicKey(null, 'uncompressed') };
  },
  validatePublicKey(publicKey) {
    if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
      throw malformed(`a P-256 public key is the uncompressed SEC1 point (65 bytes starting 0x04); this one is ${publicKey.length} bytes`);
    }
    try {
      // OpenSSL refuses a point that does not satisfy the curve equation (the invalid-curve attack).
      ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed');
    } catch {
      throw malformed('the P-256 public key is not a point on the curve');
    }
  },
  publicKeyOf(privateKey) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return ecdh.getPublicKey(null, 'uncompressed');
  },
  sharedSecret(privateKey, peerPublicKey) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    return leftPad(ecdh.computeSecret(peerPublicKey), 32);
  },
};

/** PKCS#8 wrapping of a raw X25519 private key (RFC 8410 §7), so OpenSSL can import it. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function x25519Private(privateKey: Buffer) {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
}

function x25519Public(publicKey: Buffer) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: publicKey.toString('base64url') }, format: 'jwk' });
}

const X25519: AgreementGroup = {
  id: 'X25519',
  publicKeyBytes: 32,
  generate() {
    const { privateKey } = generateKeyPairSync('x25519');
    const raw = Buffer.from(privateKey.export({ format: 'der', type: 'pkcs8' })).subarray(X25519_PKCS8_PREFIX.length);
    return { privateKey: raw, publicKey: this.publicKeyOf(raw) };
  },
  validatePublicKey(publicKey) {
    if (publicKey.length !== 32) throw malformed(`an X25519 public key is 32 raw bytes; this one is ${publicKey.length}`);
    // A small-order point gives an all-zero secret whatever our key (RFC 7748 §6.1): try a throwaway key.
    const probe = generateKeyPairSync('x25519').privateKey;
    let secret: Buffer;
    try {
      secret = diffieHellman({ privateKey: probe, publicKey: x25519Public(publicKey) });
    } catch {
      throw malformed('the X25519 public key is of small order (the shared secret would be zero)');
    }
    if (secret.every((byte) => byte === 0)) throw malformed('the X25519 public key is of small order (the shared secret would be zero)');
  },
  publicKeyOf(privateKey) {
    const jwk = createPublicKey(x25519Private(privateKey)).export({ format: 'jwk' });
    return Buffer.from(jwk.x ?? '', 'base64url');
  },
  sharedSecret(privateKey, peerPublicKey) {
    const secret = diffieHellman({ privateKey: x25519Private(privateKey), publicKey: x25519Public(peerPublicKey) });
    if (secret.every((byte) => byte === 0)) throw malformed('the X25519 shared secret is zero (small-order peer key)');
    return secret;
  },
};

export const GROUPS: Record<GroupId, AgreementGroup> = {
  modp14: finiteFieldGroup('modp14', MODP14_PRIME_HEX),
  ffdhe3072: finiteFieldGroup('ffdhe3072', FFDHE3072_PRIME_HEX),
  'P-256': P256,
  X25519,
};

function leftPad(bytes: Buffer, size: number): Buffer {
  return bytes.length >= size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function malformed(reason: string): SignetError {
  return new SignetError('ERR_AGREEMENT_MALFORMED', reason);
}
