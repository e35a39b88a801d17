import { createECDH, getDiffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FFDHE3072_PRIME_HEX, GROUPS, MODP14_PRIME_HEX } from '../../../main/core/agreement/index.ts';

/** floor(2^k · e), from the series Σ 1/n!, with guard bits. */
function eScaled(k: number): bigint {
  const guard = 64n;
  let term = 1n << (BigInt(k) + guard);
  let sum = 0n;
  for (let n = 0n; term > 0n; n += 1n) {
    if (n > 0n) term /= n;
    sum += term;
  }
  return sum >> guard;
}

/** floor(2^k · π), by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), with guard bits. */
function piScaled(k: number): bigint {
  const guard = 64n;
  const bits = BigInt(k) + guard;
  const arctanInverse = (x: bigint) => {
    let term = (1n << bits) / x;
    let sum = term;
    for (let n = 1n, sign = -1n; term !== 0n; n += 1n, sign = -sign) {
      term /= x * x;
      sum += (sign * term) / (2n * n + 1n);
    }
    return sum;
  };
  return (16n * arctanInverse(5n) - 4n * arctanInverse(239n)) >> guard;
}

const hex = (value: bigint) => value.toString(16).toUpperCase();
const bytes = (value: bigint, size: number) => Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
const p14 = BigInt(`0x${MODP14_PRIME_HEX}`);
const p3072 = BigInt(`0x${FFDHE3072_PRIME_HEX}`);

describe('group parameters', () => {
  it('MODP group 14 is the prime RFC 3526 §3 defines: 2^2048 − 2^1984 − 1 + 2^64·([2^1918·π] + 124476)', () => {
    const defined = (1n << 2048n) - (1n << 1984n) - 1n + ((piScaled(1918) + 124476n) << 64n);
    expect(hex(p14)).toBe(hex(defined));
    expect(MODP14_PRIME_HEX).toBe(getDiffieHellman('modp14').getPrime('hex').toUpperCase());
  });

  it('ffdhe3072 is the prime RFC 7919 A.2 defines: 2^3072 − 2^3008 + ([2^2942·e] + 2625351)·2^64 − 1', () => {
    const defined = (1n << 3072n) - (1n << 3008n) + ((eScaled(2942) + 2625351n) << 64n) - 1n;
    expect(hex(p3072)).toBe(hex(defined));
  });
});

describe.each([
  ['modp14', p14, 256],
  ['ffdhe3072', p3072, 384],
] as const)('finite-field group %s', (id, p, size) => {
  const group = GROUPS[id];

  it('agrees on one secret, padded to the size of p', () => {
    const alice = group.generate();
    const bob = group.generate();
    expect(alice.publicKey).toHaveLength(size);
    const secret = group.sharedSecret(alice.privateKey, bob.publicKey);
    expect(secret).toHaveLength(size);
    expect(secret.equals(group.sharedSecret(bob.privateKey, alice.publicKey))).toBe(true);
  });

  it('produces public keys that pass its own validation, and recomputes them from the private key', () => {
    const { privateKey, publicKey } = group.generate();
    expect(() => group.validatePublicKey(publicKey)).not.toThrow();
    expect(group.publicKeyOf(privateKey).equals(publicKey)).toBe(true);
  });

  it.each([
    ['0', 0n],
    ['1', 1n],
    ['p − 1', p - 1n],
    ['p', p],
  ])('refuses the public key %s', (_name, y) => {
    expect(() => group.validatePublicKey(bytes(y, size))).toThrow(expect.objectContaining({ code: 'ERR_AGREEMENT_MALFORMED', message: expect.stringMatching(/0, 1, p-1/) }));
  });

  it('refuses a key outside the prime-order subgroup (p − 2)', () => {
    expect(() => group.validatePublicKey(bytes(p - 2n, size))).toThrow(/prime-order subgroup/);
  });

  it('refuses a key that is not padded to the group size', () => {
    const { publicKey } = group.generate();
    expect(() => group.validatePublicKey(publicKey.subarray(1))).toThrow(new RegExp(`${size} bytes`));
  });
});

describe('P-256', () => {
  const group = GROUPS['P-256'];

  it('agrees on the 32-byte X coordinate', () => {
    const alice = group.generate();
    const bob = group.generate();
    expect(alice.publicKey).toHaveLength(65);
    expect(group.sharedSecret(alice.privateKey, bob.publicKey).equals(group.sharedSecret(bob.privateKey, alice.publicKey))).toBe(true);
  });

  it('refuses a point off the curve', () => {
    const { publicKey } = group.generate();
    const offCurve = Buffer.from(publicKey);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    expect(() => group.validatePublicKey(offCurve)).toThrow(/not a point on the curve/);
  });

  it('refuses the compressed form', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    expect(() => group.validatePublicKey(ecdh.getPublicKey(null, 'compressed'))).toThrow(/uncompressed SEC1 point/);
  });
});

describe('X25519', () => {
  const group = GROUPS.X25519;

  it('agrees on a 32-byte secret', () => {
    const alice = group.generate();
    const bob = group.generate();
    expect(alice.publicKey).toHaveLength(32);
    expect(group.sharedSecret(alice.privateKey, bob.publicKey).equals(group.sharedSecret(bob.privateKey, alice.publicKey))).toBe(true);
  });

  it.each([
    ['zero', Buffer.alloc(32)],
    ['one', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
  ])('refuses the small-order point %s', (_name, point) => {
    expect(() => group.validatePublicKey(point)).toThrow(/small order/);
  });

  it('refuses a key of the wrong length', () => {
    expect(() => group.validatePublicKey(Buffer.alloc(33, 9))).toThrow(/32 raw bytes/);
  });
});
