import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, createCsr, csrToPem, exportPkcs12, exportPublicKey, parseKeyFile, selfSignCertificate } from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, keyNamed } from './helpers.ts';

const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const VALIDITY = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2028-01-01T00:00:00Z') };
// DER of the P-256 named-curve OID, as `openssl ecparam -genkey` writes it before the key.
const EC_PARAMETERS_P256 = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';

let keys: Map<string, AsymmetricKey>;
let rsa: ReturnType<typeof keyNamed>;
let ec: ReturnType<typeof keyNamed>;

beforeAll(async () => {
  keys = await generateAll();
  rsa = keyNamed(keys, 'RSA-2048');
  ec = keyNamed(keys, 'EC P-256');
});

describe('PEM', () => {
  it('reads a PKCS#1 RSA PRIVATE KEY', async () => {
    const parsed = await parseKeyFile(text(rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()));
    expect(parsed.format).toBe('pem');
    expect(parsed.keys[0]).toMatchObject({ type: 'rsa', size: 2048 });
    expect(parsed.keys[0]?.privateKey?.equals(rsa.privateKey)).toBe(true);
  });

  it('reads a PKCS#1 RSA PUBLIC KEY', async () => {
    const parsed = await parseKeyFile(text(rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString()));
    expect(parsed.keys[0]?.publicKey.equals(rsa.publicKey)).toBe(true);
  });

  it('reads a SEC1 EC PRIVATE KEY preceded by its EC PARAMETERS block', async () => {
    const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    const parsed = await parseKeyFile(text(EC_PARAMETERS_P256 + sec1));
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]).toMatchObject({ type: 'ec', curve: 'P-256' });
    expect(parsed.keys[0]?.privateKey?.equals(ec.privateKey)).toBe(true);
  });

  it('reads an ENCRYPTED PRIVATE KEY with its password', async () => {
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString();
    const parsed = await parseKeyFile(text(pem), { password: 'open sesame' });
    expect(parsed.keys[0]?.privateKey?.equals(ec.privateKey)).toBe(true);
  });

  it('asks for the password of an ENCRYPTED PRIVATE KEY', async () => {
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString();
    await expectSignetError(parseKeyFile(text(pem)), 'ERR_BAD_PASSWORD', /needs the password it was saved with/);
  });

  it('reports a wrong password of an ENCRYPTED PRIVATE KEY', async () => {
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString();
    await expectSignetError(parseKeyFile(text(pem), { password: 'guess' }), 'ERR_BAD_PASSWORD', /wrong password/);
  });

  it('puts the certificate holding the key first, whatever the order in the file', async () => {
    const own = await selfSignCertificate({ key: ec, subject: 'CN=own', ...VALIDITY });
    const other = await selfSignCertificate({ key: rsa, subject: 'CN=other', ...VALIDITY });
    const pem = certificateToPem([other]).toString() + ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() + certificateToPem([own]).toString();
    const parsed = await parseKeyFile(text(pem));
    const withPrivate = parsed.keys.find((key) => key.privateKey);
    expect(withPrivate?.certificates[0]?.equals(own)).toBe(true);
  });

  it('turns a lone certificate into a public key carrying it', async () => {
    const certificate = await selfSignCertificate({ key: rsa, subject: 'CN=alone', ...VALIDITY });
    const parsed = await parseKeyFile(certificateToPem([certificate]));
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]?.privateKey).toBeUndefined();
    expect(parsed.keys[0]?.publicKey.equals(rsa.publicKey)).toBe(true);
    expect(parsed.keys[0]?.certificates).toEqual([certificate]);
  });

  it('merges a PUBLIC KEY block into the private key it belongs to', async () => {
    const pem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() + exportPublicKey(rsa.publicKey, 'pem', { kid: 'k' }).toString();
    const parsed = await parseKeyFile(text(pem));
    expect(parsed.keys).toHaveLength(1);
  });

  it('ignores text around the blocks, as openssl writes it', async () => {
    const pem = `Bag Attributes\n    friendlyName: x\nsubject=CN = x\n${ec.publicKey.export({ format: 'pem', type: 'spki' }).toString()}trailing words\n`;
    const parsed = await parseKeyFile(text(pem));
    expect(parsed.keys[0]?.publicKey.equals(ec.publicKey)).toBe(true);
  });
});

describe('DER', () => {
  it('reads PKCS#8, SPKI, PKCS#1 (private and public) and SEC1', async () => {
    const inputs = [
      rsa.privateKey.export({ format: 'der', type: 'pkcs8' }),
      rsa.publicKey.export({ format: 'der', type: 'spki' }),
      rsa.privateKey.export({ format: 'der', type: 'pkcs1' }),
      rsa.publicKey.export({ format: 'der', type: 'pkcs1' }),
    ];
    for (const der of inputs) {
      const parsed = await parseKeyFile(der);
      expect(parsed.format).toBe('der');
      expect(parsed.keys[0]?.publicKey.equals(rsa.publicKey)).toBe(true);
    }
    const sec1 = await parseKeyFile(ec.privateKey.export({ format: 'der', type: 'sec1' }));
    expect(sec1.keys[0]?.privateKey?.equals(ec.privateKey)).toBe(true);
  });

  it('reads an encrypted PKCS#8 DER with its password', async () => {
    const der = rsa.privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'pw' });
    const parsed = await parseKeyFile(der, { password: 'pw' });
    expect(parsed.keys[0]?.privateKey?.equals(rsa.privateKey)).toBe(true);
  });

  it('reads a DER certificate as a public key with that certificate', async () => {
    const certificate = await selfSignCertificate({ key: ec, subject: 'CN=der', ...VALIDITY });
    const parsed = await parseKeyFile(certificate);
    expect(parsed.keys[0]?.publicKey.equals(ec.publicKey)).toBe(true);
    expect(parsed.keys[0]?.certificates).toEqual([certificate]);
  });
});

describe('JWK and JWKS', () => {
  it('reads private RSA, EC and OKP JWKs', async () => {
    for (const name of ['RSA-2048', 'EC P-521', 'Ed25519', 'X25519']) {
      const key = keyNamed(keys, name);
      const parsed = await parseKeyFile(text(JSON.stringify(key.privateKey.export({ format: 'jwk' }))));
      expect(parsed.keys[0]?.privateKey?.equals(key.privateKey)).toBe(true);
    }
  });

  it('refuses an empty kid, which could never be selected', async () => {
    const jwk = { ...keyNamed(keys, 'EC P-521').publicKey.export({ format: 'jwk' }), kid: '' };
    await expectSignetError(parseKeyFile(text(JSON.stringify(jwk))), 'ERR_KEY_FORMAT', /'kid' is empty/);
  });

  it('keeps x5c certificates of a JWK', async () => {
    const certificate = await selfSignCertificate({ key: rsa, subject: 'CN=x5c', ...VALIDITY });
    const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), x5c: [certificate.toString('base64')] };
    const parsed = await parseKeyFile(text(JSON.stringify(jwk)));
    expect(parsed.keys[0]?.certificates).toEqual([certificate]);
  });

  it('refuses an x5c certificate that holds another key', async () => {
    const certificate = await selfSignCertificate({ key: ec, subject: 'CN=x5c', ...VALIDITY });
    const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), x5c: [certificate.toString('base64')] };
    await expectSignetError(parseKeyFile(text(JSON.stringify(jwk))), 'ERR_KEY_FORMAT', /x5c/);
  });

  it('reads every key of a JWKS, and oct keys into secrets', async () => {
    const jwks = {
      keys: [
        { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig', alg: 'RS256' },
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1', use: 'enc', alg: 'ECDH-ES' },
        { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), kid: 'h1', alg: 'HS256' },
      ],
    };
    const parsed = await parseKeyFile(text(JSON.stringify(jwks)));
    expect(parsed.format).toBe('jwks');
    expect(parsed.keys.map((key) => [key.kid, key.use, key.alg])).toEqual([
      ['r1', 'sig', 'RS256'],
      ['e1', 'enc', 'ECDH-ES'],
    ]);
    expect(parsed.secrets).toEqual([{ secret: Buffer.alloc(32, 1), kid: 'h1', alg: 'HS256' }]);
  });

  it('refuses a private JWK whose public members belong to another key', async () => {
    const other = keyNamed(keys, 'EC P-256');
    const { x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const jwk = { ...other.privateKey.export({ format: 'jwk' }), x, y };
    await expectSignetError(parseKeyFile(text(JSON.stringify(jwk))), 'ERR_KEY_FORMAT', /different keys/);
  });

  it('names the JWKS entry that is wrong', async () => {
    const jwks = { keys: [rsa.publicKey.export({ format: 'jwk' }), { kty: 'RSA', e: 'AQAB' }] };
    await expectSignetError(parseKeyFile(text(JSON.stringify(jwks))), 'ERR_KEY_FORMAT', /^JWKS key #2: JWK is missing 'n'/);
  });
});

describe('bad input', () => {
  it('refuses an empty file', () => expectSignetError(parseKeyFile(new Uint8Array()), 'ERR_KEY_FORMAT', /empty/));

  it('refuses a file of blank lines', () => expectSignetError(parseKeyFile(text('\n \n')), 'ERR_KEY_FORMAT', /empty/));

  it('refuses garbage, naming the formats it expected', () =>
    expectSignetError(parseKeyFile(text('hello, world')), 'ERR_KEY_FORMAT', /not a key file: expected PEM, DER, JWK\/JWKS or PKCS#12/));

  it('refuses random binary data', () => expectSignetError(parseKeyFile(Buffer.from([0x01, 0xff, 0x13, 0x37])), 'ERR_KEY_FORMAT'));

  it('reports a PEM block cut before its END line', async () => {
    const pem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expectSignetError(parseKeyFile(text(pem.slice(0, pem.length / 2))), 'ERR_KEY_FORMAT', /truncated PEM block 'PRIVATE KEY'/);
  });

  it('reports truncated DER', async () => {
    const der = rsa.privateKey.export({ format: 'der', type: 'pkcs8' });
    await expectSignetError(parseKeyFile(der.subarray(0, 200)), 'ERR_KEY_FORMAT', /truncated/);
  });

  it('refuses DER followed by stray bytes', async () => {
    const der = Buffer.concat([rsa.publicKey.export({ format: 'der', type: 'spki' }), Buffer.from([0, 0])]);
    await expectSignetError(parseKeyFile(der), 'ERR_KEY_FORMAT', /unexpected bytes/);
  });

  it('reports a truncated JWK', async () => {
    const json = JSON.stringify(rsa.publicKey.export({ format: 'jwk' }));
    await expectSignetError(parseKeyFile(text(json.slice(0, 40))), 'ERR_KEY_FORMAT', /invalid JSON/);
  });

  it('refuses a JWK with an unknown kty', () =>
    expectSignetError(parseKeyFile(text(JSON.stringify({ kty: 'DSA', x: 'AA' }))), 'ERR_KEY_FORMAT', /unsupported JWK kty 'DSA'/));

  it('refuses a JWK with a missing member', () => expectSignetError(parseKeyFile(text('{"kty":"RSA","e":"AQAB"}')), 'ERR_KEY_FORMAT', /JWK is missing 'n'/));

  it('explains that RSA JWKs without CRT members cannot be imported', async () => {
    const { kty, n, e, d } = rsa.privateKey.export({ format: 'jwk' });
    await expectSignetError(parseKeyFile(text(JSON.stringify({ kty, n, e, d }))), 'ERR_KEY_FORMAT', /CRT members/);
  });

  it('refuses a JWK member that is not base64url', () =>
    expectSignetError(parseKeyFile(text('{"kty":"RSA","n":"a+b/","e":"AQAB"}')), 'ERR_KEY_FORMAT', /base64url/));

  it('refuses an unsupported JWK curve, naming it', async () => {
    const { x, y } = ec.publicKey.export({ format: 'jwk' });
    await expectSignetError(parseKeyFile(text(JSON.stringify({ kty: 'EC', crv: 'secp256k1', x, y }))), 'ERR_KEY_FORMAT', /secp256k1/);
  });

  it('refuses DSA keys, naming them', async () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    await expectSignetError(parseKeyFile(text(dsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())), 'ERR_KEY_FORMAT', /dsa/);
  });

  it('refuses EC keys on other curves, naming the curve', async () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    await expectSignetError(parseKeyFile(text(k1.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())), 'ERR_KEY_FORMAT', /secp256k1/);
  });

  it('refuses a certificate request, saying what it is', async () => {
    const csr = await createCsr({ key: ec, subject: 'CN=req' });
    await expectSignetError(parseKeyFile(csrToPem(csr)), 'ERR_KEY_FORMAT', /certificate request/);
    await expectSignetError(parseKeyFile(csr), 'ERR_KEY_FORMAT', /certificate request/);
  });

  it('points OpenSSH public keys to a conversion', () =>
    expectSignetError(parseKeyFile(text('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG user@host')), 'ERR_KEY_FORMAT', /ssh-keygen/));

  it('refuses files over 1 MiB', () => expectSignetError(parseKeyFile(Buffer.alloc(1024 * 1024 + 1, 0x20)), 'ERR_TOO_LARGE'));

  it('refuses a PEM block holding damaged key bytes', () =>
    expectSignetError(parseKeyFile(text('-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n')), 'ERR_KEY_FORMAT', /not a valid PKCS#8/));
});

describe('private keys whose two halves disagree', () => {
  /** An EC key file states its public point next to the private scalar: this one carries another key's scalar. */
  function ecWithForeignScalar(): KeyObject {
    const stated = ec.privateKey.export({ format: 'der', type: 'sec1' });
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'sec1' });
    // SEC1 ECPrivateKey for P-256: 30 77 02 01 01 04 20, then the 32-byte scalar.
    foreign.copy(stated, 7, 7, 39);
    return createPrivateKey({ key: stated, format: 'der', type: 'sec1' });
  }

  it.each([
    ['PKCS#8 PEM', (key: KeyObject) => text(key.export({ format: 'pem', type: 'pkcs8' }).toString())],
    ['PKCS#8 DER', (key: KeyObject) => key.export({ format: 'der', type: 'pkcs8' })],
    ['SEC1 PEM', (key: KeyObject) => text(key.export({ format: 'pem', type: 'sec1' }).toString())],
  ])('refuses a %s EC key whose scalar belongs to another key', (_format, write) =>
    expectSignetError(parseKeyFile(write(ecWithForeignScalar())), 'ERR_KEY_FORMAT', /private and public parts belong to different keys/));

  it('refuses such a key in a PKCS#12, next to the certificate of the public point it states', async () => {
    const certificate = await selfSignCertificate({ key: ec, subject: 'CN=stated', ...VALIDITY });
    const p12 = await exportPkcs12({ privateKey: ecWithForeignScalar(), certificates: [certificate], password: 'p12 password' });
    await expectSignetError(parseKeyFile(p12, { password: 'p12 password' }), 'ERR_KEY_FORMAT', /private and public parts belong to different keys/);
  });
});
