import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile } from '../../main/core/keys/formats.ts';
import { selfSignCertificate } from '../../main/core/keys/certificates.ts';
import { toPem } from '../../main/core/keys/pem.ts';
import { budget, MARKER, mutated, outcome } from './support.ts';

// Key files arrive from partners, portals and e-mail: PEM, DER, JWK/JWKS, PKCS#12, all mutated here.
// The password of every encrypted seed is the marker, so it must never come back in a message.

const KEY_FILE_CODES = new Set(['ERR_KEY_FORMAT', 'ERR_BAD_PASSWORD', 'ERR_TOO_LARGE']);

let seeds: { pem: Buffer[]; der: Buffer[]; jwk: Buffer[]; p12: Buffer[] };
/** Key material of the seeds: none of it may appear in a message, even after mutation. */
let secretTexts: string[];

function jwkOf(key: KeyObject, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...key.export({ format: 'jwk' }), ...extra };
}

/** A PKCS#12 made by openssl with a cheap work factor, so each mutated case costs milliseconds. */
function opensslPkcs12(privatePem: string, certificatePem: string): Buffer | undefined {
  if (!existsSync('/usr/bin/openssl')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'signet-fuzz-p12-'));
  try {
    writeFileSync(join(dir, 'key.pem'), privatePem);
    writeFileSync(join(dir, 'cert.pem'), certificatePem);
    execFileSync('/usr/bin/openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-passout', `pass:${MARKER}`, '-iter', '1000', '-out', 'file.p12'], { cwd: dir, stdio: 'ignore' });
    return readFileSync(join(dir, 'file.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const x = generateKeyPairSync('x25519');
  const certificate = await selfSignCertificate({ key: { type: 'ec', curve: 'P-256', publicKey: ec.publicKey, privateKey: ec.privateKey }, subject: 'CN=fuzz', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') });
  const ecPem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const certificatePem = toPem('CERTIFICATE', certificate);
  seeds = {
    pem: [
      `${ecPem}${certificatePem}`,
      rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
      ec.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: MARKER }).toString(),
      rsa.privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: MARKER }).toString(),
      `Bag Attributes\n    friendlyName: x\n${ec.publicKey.export({ format: 'pem', type: 'spki' }).toString()}-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n`,
    ].map((text) => Buffer.from(text)),
    der: [
      ed.privateKey.export({ format: 'der', type: 'pkcs8' }),
      ec.publicKey.export({ format: 'der', type: 'spki' }),
      ec.privateKey.export({ format: 'der', type: 'sec1' }),
      rsa.publicKey.export({ format: 'der', type: 'pkcs1' }),
      certificate,
      ec.privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: MARKER }),
    ],
    jwk: [
      jwkOf(ec.privateKey, { kid: 'merchant-1', use: 'sig', x5c: [certificate.toString('base64')] }),
      { keys: [jwkOf(ed.publicKey, { kid: 'a' }), jwkOf(x.privateKey, { kid: 'b', use: 'enc' }), { kty: 'oct', k: MARKER, kid: 'hmac' }] },
      jwkOf(rsa.privateKey, { alg: 'RS256' }),
    ].map((document) => Buffer.from(JSON.stringify(document, null, 1))),
    p12: [opensslPkcs12(ecPem, certificatePem)].filter((file): file is Buffer => file !== undefined),
  };
  const privateJwks = [ec.privateKey, rsa.privateKey, x.privateKey].map((key) => jwkOf(key));
  secretTexts = [
    MARKER,
    ...privateJwks.flatMap((jwk) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((member) => jwk[member]).filter((value): value is string => typeof value === 'string')),
    ...ecPem.split('\n').filter((line) => line.length === 64),
  ];
  expect(createPublicKey(ec.privateKey).equals(ec.publicKey)).toBe(true);
});

async function expectKeyFileOutcome(bytes: Buffer): Promise<void> {
  const result = await outcome(() => parseKeyFile(bytes, { password: MARKER }), secretTexts);
  if (!result.ok) expect(KEY_FILE_CODES.has(result.error.code)).toBe(true);
}

describe('key file parsing under mutation', () => {
  it('reads the seeds as they are (control)', async () => {
    for (const file of [...seeds.pem, ...seeds.der, ...seeds.jwk, ...seeds.p12]) {
      const parsed = await parseKeyFile(file, { password: MARKER });
      expect(parsed.keys.length + parsed.secrets.length).toBeGreaterThan(0);
    }
  });

  it('PEM: keys, certificates, legacy and PKCS#8 encryption', async () => {
    await fc.assert(fc.asyncProperty(mutated(seeds.pem), expectKeyFileOutcome), budget(400));
  });

  it('DER: PKCS#8, SPKI, SEC1, PKCS#1, X.509, encrypted PKCS#8', async () => {
    await fc.assert(fc.asyncProperty(mutated(seeds.der), expectKeyFileOutcome), budget(500));
  });

  it('JWK and JWKS, private and public, with x5c and oct members', async () => {
    await fc.assert(fc.asyncProperty(mutated(seeds.jwk), expectKeyFileOutcome), budget(500));
  });

  it('PKCS#12 (openssl, AES, cheap work factor)', async () => {
    if (seeds.p12.length === 0) return;
    await fc.assert(fc.asyncProperty(mutated(seeds.p12, 3), expectKeyFileOutcome), budget(250, { budgetMs: 5000 }));
  });

  it('arbitrary bytes, text and JSON', async () => {
    const anything = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
      fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
      fc.string({ maxLength: 512 }).map((text) => Buffer.from(`-----BEGIN PRIVATE KEY-----\n${text}\n-----END PRIVATE KEY-----\n`)),
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), bytes])),
    );
    await fc.assert(fc.asyncProperty(anything, expectKeyFileOutcome), budget(800));
  });
});
