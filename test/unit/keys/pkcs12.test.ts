import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, csrToPem, exportPkcs12, jwkThumbprint, parseKeyFile, parsePkcs12, selfSignCertificate } from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, keyNamed, opensslChain, SIGNING_SPECS, Workspace } from './helpers.ts';

const PASSWORD = 'correct horse battery staple';
const VALIDITY = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2028-01-01T00:00:00Z') };

let keys: Map<string, AsymmetricKey>;
const workspace = new Workspace();

beforeAll(async () => {
  keys = await generateAll();
});
afterAll(() => workspace.cleanup());

/** The public key openssl finds in a PKCS#12 file, as SPKI PEM. */
function opensslPublicKey(file: string, password: string): string {
  const unpacked = workspace.write('unpacked.pem', workspace.openssl(['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nodes', '-nocerts']));
  return workspace.openssl(['pkey', '-in', unpacked, '-pubout']);
}

describe.each(SIGNING_SPECS)('$name in PKCS#12', ({ name }) => {
  let certificate: Buffer;
  let p12: Buffer;

  beforeAll(async () => {
    const key = keyNamed(keys, name);
    certificate = await selfSignCertificate({ key, subject: `CN=${name}`, ...VALIDITY });
    p12 = await exportPkcs12({ privateKey: key.privateKey, certificates: [certificate], password: PASSWORD, friendlyName: 'merchant key' });
  });

  it('reads back the key, its certificate and its friendly name', async () => {
    const parsed = await parseKeyFile(p12, { password: PASSWORD });
    expect(parsed.format).toBe('pkcs12');
    expect(parsed.keys).toHaveLength(1);
    const [read] = parsed.keys;
    expect(read?.privateKey?.equals(keyNamed(keys, name).privateKey)).toBe(true);
    expect(read?.certificates).toEqual([certificate]);
    expect(read?.friendlyName).toBe('merchant key');
    expect(read && jwkThumbprint(read.publicKey)).toBe(jwkThumbprint(keyNamed(keys, name).publicKey));
  });

  it('is read by openssl pkcs12 -nodes, holding the same key', () => {
    const file = workspace.write(`${name}.p12`, p12);
    const expected = createPublicKey(keyNamed(keys, name).privateKey).export({ format: 'pem', type: 'spki' }).toString();
    expect(opensslPublicKey(file, PASSWORD)).toBe(expected);
  });
});

describe('PKCS#12 export', () => {
  it('uses PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and a SHA-256 MAC', async () => {
    const key = keyNamed(keys, 'EC P-256');
    const certificate = await selfSignCertificate({ key, subject: 'CN=algorithms', ...VALIDITY });
    const file = workspace.write('algorithms.p12', await exportPkcs12({ privateKey: key.privateKey, certificates: [certificate], password: PASSWORD }));
    const info = workspace.opensslReport(['pkcs12', '-in', file, '-passin', `pass:${PASSWORD}`, '-info', '-noout']);
    expect(info).toContain('MAC: sha256');
    expect(info).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
    expect(info).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
  });

  it('writes the chain after the leaf, and reads it back in that order', async () => {
    const key = keyNamed(keys, 'RSA-2048');
    const chain = opensslChain(workspace, csrToPem(await createCsr({ key, subject: 'CN=chained' })));
    const p12 = await exportPkcs12({ privateKey: key.privateKey, certificates: [chain.leaf, chain.intermediate, chain.root], password: PASSWORD });
    const [read] = await parsePkcs12(p12, PASSWORD);
    expect(read?.certificates).toEqual([chain.leaf, chain.intermediate, chain.root]);
    const listed = workspace.openssl(['pkcs12', '-in', workspace.write('chain.p12', p12), '-passin', `pass:${PASSWORD}`, '-nokeys']);
    expect(listed.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
  });

  it('exports an X25519 key with a certificate a CA issued for it', async () => {
    const key = keyNamed(keys, 'X25519');
    const signer = keyNamed(keys, 'EC P-256');
    const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' });
    const chain = opensslChain(workspace, csrToPem(await createCsr({ key: signer, subject: 'CN=x25519 holder' })), Buffer.from(publicPem));
    const p12 = await exportPkcs12({ privateKey: key.privateKey, certificates: [chain.leaf, chain.intermediate], password: PASSWORD });
    const [read] = await parsePkcs12(p12, PASSWORD);
    expect(read?.type).toBe('x25519');
    expect(read?.certificates).toEqual([chain.leaf, chain.intermediate]);
    expect(opensslPublicKey(workspace.write('x25519.p12', p12), PASSWORD)).toBe(publicPem.toString());
  });

  it('refuses to write a PKCS#12 without a certificate', () =>
    expectSignetError(exportPkcs12({ privateKey: keyNamed(keys, 'Ed25519').privateKey, certificates: [], password: PASSWORD }), 'ERR_BAD_INPUT', /certificate/));

  it('refuses a first certificate that holds another key', async () => {
    const other = await selfSignCertificate({ key: keyNamed(keys, 'EC P-384'), subject: 'CN=other', ...VALIDITY });
    await expectSignetError(exportPkcs12({ privateKey: keyNamed(keys, 'Ed25519').privateKey, certificates: [other], password: PASSWORD }), 'ERR_BAD_INPUT', /does not belong/);
  });

  it('refuses a public key', async () => {
    const key = keyNamed(keys, 'Ed25519');
    const certificate = await selfSignCertificate({ key, subject: 'CN=pub', ...VALIDITY });
    await expectSignetError(exportPkcs12({ privateKey: key.publicKey, certificates: [certificate], password: PASSWORD }), 'ERR_KEY_NO_PRIVATE');
  });

  it('refuses an empty password', async () => {
    const key = keyNamed(keys, 'Ed25519');
    const certificate = await selfSignCertificate({ key, subject: 'CN=pw', ...VALIDITY });
    await expectSignetError(exportPkcs12({ privateKey: key.privateKey, certificates: [certificate], password: '' }), 'ERR_BAD_INPUT', /password/);
  });
});

describe('PKCS#12 import', () => {
  let opensslP12: Buffer;
  let chain: { leaf: Buffer; intermediate: Buffer; root: Buffer };

  beforeAll(() => {
    workspace.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'imported.key']);
    workspace.openssl(['req', '-new', '-key', 'imported.key', '-out', 'imported.csr', '-subj', '/CN=imported']);
    chain = opensslChain(workspace, workspace.read('imported.csr'));
    workspace.write('imported-chain.pem', workspace.read('int.crt').toString() + workspace.read('root.crt').toString());
    workspace.openssl(['pkcs12', '-export', '-inkey', 'imported.key', '-in', 'leaf.crt', '-certfile', 'imported-chain.pem', '-name', 'from openssl', '-passout', `pass:${PASSWORD}`, '-out', 'imported.p12']);
    opensslP12 = workspace.read('imported.p12');
  });

  it('reads what openssl pkcs12 -export writes: key, leaf, chain and name', async () => {
    const parsed = await parseKeyFile(opensslP12, { password: PASSWORD });
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]).toMatchObject({ type: 'ec', curve: 'P-384', friendlyName: 'from openssl' });
    expect(parsed.keys[0]?.certificates).toEqual([chain.leaf, chain.intermediate, chain.root]);
    const expected = workspace.openssl(['pkey', '-in', 'imported.key', '-pubout']);
    expect(parsed.keys[0]?.publicKey.export({ format: 'pem', type: 'spki' }).toString()).toBe(expected);
  });

  it('reports a wrong password', () => expectSignetError(parseKeyFile(opensslP12, { password: 'wrong' }), 'ERR_BAD_PASSWORD', /wrong PKCS#12 password/));

  it('asks for a missing password', () => expectSignetError(parseKeyFile(opensslP12), 'ERR_BAD_PASSWORD', /needs the password it was exported with/));

  it('opens a file made with an empty password without one', async () => {
    workspace.openssl(['pkcs12', '-export', '-inkey', 'imported.key', '-in', 'leaf.crt', '-passout', 'pass:', '-out', 'empty.p12']);
    const parsed = await parseKeyFile(workspace.read('empty.p12'));
    expect(parsed.keys[0]?.privateKey).toBeDefined();
  });

  it('reports a wrong password of a file without a MAC', async () => {
    workspace.openssl(['pkcs12', '-export', '-nomac', '-inkey', 'imported.key', '-in', 'leaf.crt', '-passout', `pass:${PASSWORD}`, '-out', 'nomac.p12']);
    await expectSignetError(parseKeyFile(workspace.read('nomac.p12'), { password: 'wrong' }), 'ERR_BAD_PASSWORD', /wrong PKCS#12 password/);
    expect((await parseKeyFile(workspace.read('nomac.p12'), { password: PASSWORD })).keys).toHaveLength(1);
  });

  it('reads a certificates-only file as public keys', async () => {
    workspace.openssl(['pkcs12', '-export', '-nokeys', '-in', 'leaf.crt', '-passout', `pass:${PASSWORD}`, '-out', 'certs-only.p12']);
    const keysRead = await parsePkcs12(workspace.read('certs-only.p12'), PASSWORD);
    expect(keysRead).toHaveLength(1);
    expect(keysRead[0]?.privateKey).toBeUndefined();
    expect(keysRead[0]?.certificates).toEqual([chain.leaf]);
  });

  it('explains that legacy (RC2/3DES) files must be re-exported', async () => {
    workspace.openssl(['pkcs12', '-export', '-legacy', '-inkey', 'imported.key', '-in', 'leaf.crt', '-passout', `pass:${PASSWORD}`, '-out', 'legacy.p12']);
    await expectSignetError(parseKeyFile(workspace.read('legacy.p12'), { password: PASSWORD }), 'ERR_KEY_FORMAT', /legacy encryption/);
  });

  it('refuses a damaged file', () => expectSignetError(parseKeyFile(opensslP12.subarray(0, opensslP12.length - 40), { password: PASSWORD }), 'ERR_KEY_FORMAT'));
});
