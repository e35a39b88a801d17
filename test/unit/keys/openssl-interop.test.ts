import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, csrToPem, exportPrivateKey, exportPublicKey, parseKeyFile } from '../../../main/core/keys/index.ts';
import type { AsymmetricKey } from '../../../main/core/keys/types.ts';
import { expectSignetError, generateAll, KEY_SPECS, keyNamed, opensslChain, Workspace } from './helpers.ts';

const PASSWORD = 'interop password';
const workspace = new Workspace();
let keys: Map<string, AsymmetricKey>;

beforeAll(async () => {
  keys = await generateAll();
});
afterAll(() => workspace.cleanup());

/** The SPKI PEM openssl derives from a key file, to compare with what Signet read. */
function opensslPublicPem(file: string, extra: string[] = []): string {
  return workspace.openssl(['pkey', '-in', file, ...extra, '-pubout']);
}

async function readFile(name: string, password?: string) {
  return parseKeyFile(workspace.read(name), password === undefined ? {} : { password });
}

describe('keys made by openssl', () => {
  it.each([
    ['RSA', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { type: 'rsa', size: 2048 }],
    ['EC P-384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], { type: 'ec', curve: 'P-384' }],
    ['Ed25519', ['-algorithm', 'ED25519'], { type: 'ed25519' }],
    ['X25519', ['-algorithm', 'X25519'], { type: 'x25519' }],
  ])('reads a %s PKCS#8 key from openssl genpkey', async (label, args, expected) => {
    workspace.openssl(['genpkey', ...args, '-out', `${label}.pem`]);
    const [key] = (await readFile(`${label}.pem`)).keys;
    expect(key).toMatchObject(expected);
    expect(key?.publicKey.export({ format: 'pem', type: 'spki' })).toBe(opensslPublicPem(`${label}.pem`));
  });

  it('reads a SEC1 key from openssl ecparam -genkey, EC PARAMETERS block and all', async () => {
    workspace.openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-out', 'sec1.pem']);
    expect(workspace.read('sec1.pem').toString()).toContain('BEGIN EC PARAMETERS');
    const parsed = await readFile('sec1.pem');
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]).toMatchObject({ type: 'ec', curve: 'P-256' });
    expect(parsed.keys[0]?.publicKey.export({ format: 'pem', type: 'spki' })).toBe(opensslPublicPem('sec1.pem'));
  });

  it('reads a PKCS#1 key from openssl genrsa -traditional', async () => {
    workspace.openssl(['genrsa', '-traditional', '-out', 'pkcs1.pem', '2048']);
    expect(workspace.read('pkcs1.pem').toString()).toContain('BEGIN RSA PRIVATE KEY');
    const [key] = (await readFile('pkcs1.pem')).keys;
    expect(key?.publicKey.export({ format: 'pem', type: 'spki' })).toBe(opensslPublicPem('pkcs1.pem'));
  });

  it('reads a legacy encrypted PKCS#1 key (Proc-Type: 4,ENCRYPTED) with its password', async () => {
    workspace.openssl(['genrsa', '-traditional', '-aes256', '-passout', `pass:${PASSWORD}`, '-out', 'pkcs1-enc.pem', '2048']);
    const [key] = (await readFile('pkcs1-enc.pem', PASSWORD)).keys;
    expect(key?.privateKey).toBeDefined();
    await expectSignetError(readFile('pkcs1-enc.pem'), 'ERR_BAD_PASSWORD', /needs the password it was saved with/);
  });

  it('reads a key encrypted by openssl pkcs8 -topk8 -v2 aes-256-cbc, and reports a wrong password', async () => {
    workspace.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', 'plain.pem']);
    workspace.openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'plain.pem', '-passout', `pass:${PASSWORD}`, '-out', 'encrypted.pem']);
    const [key] = (await readFile('encrypted.pem', PASSWORD)).keys;
    expect(key).toMatchObject({ type: 'ec', curve: 'P-521' });
    expect(key?.publicKey.export({ format: 'pem', type: 'spki' })).toBe(opensslPublicPem('plain.pem'));
    await expectSignetError(readFile('encrypted.pem', 'not it'), 'ERR_BAD_PASSWORD', /wrong password/);
  });

  it('refuses a key-derivation work factor that would freeze the app', async () => {
    workspace.openssl(['genpkey', '-algorithm', 'ED25519', '-out', 'slow-plain.pem']);
    workspace.openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-iter', '3000000', '-in', 'slow-plain.pem', '-passout', `pass:${PASSWORD}`, '-out', 'slow.pem']);
    await expectSignetError(readFile('slow.pem', PASSWORD), 'ERR_KEY_FORMAT', /3000000 key-derivation iterations/);
  });

  it('reads the DER forms openssl writes: PKCS#8, SPKI, PKCS#1 public key and certificate', async () => {
    workspace.openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'der.key', '-out', 'der.crt', '-subj', '/CN=der', '-days', '10']);
    workspace.openssl(['pkey', '-in', 'der.key', '-outform', 'DER', '-out', 'key.der']);
    workspace.openssl(['pkey', '-in', 'der.key', '-pubout', '-outform', 'DER', '-out', 'spki.der']);
    workspace.openssl(['rsa', '-in', 'der.key', '-RSAPublicKey_out', '-outform', 'DER', '-out', 'pkcs1-public.der']);
    workspace.openssl(['x509', '-in', 'der.crt', '-outform', 'DER', '-out', 'crt.der']);
    const expected = opensslPublicPem('der.key');
    for (const name of ['key.der', 'spki.der', 'pkcs1-public.der', 'crt.der']) {
      const parsed = await readFile(name);
      expect(parsed.format).toBe('der');
      expect(parsed.keys[0]?.publicKey.export({ format: 'pem', type: 'spki' })).toBe(expected);
    }
  });
});

describe('certificates made by openssl', () => {
  it('pairs a key with its certificate from openssl req -x509 in one file', async () => {
    workspace.openssl(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'combo.key', '-out', 'combo.crt', '-subj', '/CN=combo', '-days', '10']);
    workspace.write('combo.pem', workspace.read('combo.crt').toString() + workspace.read('combo.key').toString());
    const parsed = await readFile('combo.pem');
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]?.privateKey).toBeDefined();
    expect(parsed.keys[0]?.certificates).toHaveLength(1);
  });

  it('orders a shuffled chain leaf first, next to the key it belongs to', async () => {
    const key = keyNamed(keys, 'EC P-256');
    const chain = opensslChain(workspace, csrToPem(await createCsr({ key, subject: 'CN=leaf' })));
    const pem = (name: string) => workspace.read(name).toString();
    workspace.write('shuffled.pem', pem('root.crt') + exportPrivateKey(key.privateKey, 'pem', { kid: 'k' }).toString() + pem('leaf.crt') + pem('int.crt'));
    const parsed = await readFile('shuffled.pem');
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]?.certificates).toEqual([chain.leaf, chain.intermediate, chain.root]);
  });

  it('reads a chain without a key as the leaf public key with its issuers', async () => {
    const key = keyNamed(keys, 'RSA-2048');
    const chain = opensslChain(workspace, csrToPem(await createCsr({ key, subject: 'CN=leaf' })));
    const pem = (name: string) => workspace.read(name).toString();
    workspace.write('chain-only.pem', pem('int.crt') + pem('root.crt') + pem('leaf.crt'));
    const parsed = await readFile('chain-only.pem');
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]?.publicKey.equals(key.publicKey)).toBe(true);
    expect(parsed.keys[0]?.certificates).toEqual([chain.leaf, chain.intermediate, chain.root]);
  });
});

describe.each(KEY_SPECS)('$name exports accepted by openssl', ({ name }) => {
  it('private key as PKCS#8 PEM and DER (openssl pkey)', () => {
    const key = keyNamed(keys, name);
    const expected = exportPublicKey(key.publicKey, 'pem', { kid: 'k' }).toString();
    const pemFile = workspace.write(`${name}.key.pem`, exportPrivateKey(key.privateKey, 'pem', { kid: 'k' }));
    const derFile = workspace.write(`${name}.key.der`, exportPrivateKey(key.privateKey, 'der', { kid: 'k' }));
    workspace.openssl(['pkey', '-in', pemFile, '-noout']);
    expect(opensslPublicPem(pemFile)).toBe(expected);
    expect(opensslPublicPem(derFile, ['-inform', 'DER'])).toBe(expected);
  });

  it('public key as SPKI PEM and DER (openssl pkey -pubin)', () => {
    const key = keyNamed(keys, name);
    const pemFile = workspace.write(`${name}.pub.pem`, exportPublicKey(key.publicKey, 'pem', { kid: 'k' }));
    const derFile = workspace.write(`${name}.pub.der`, exportPublicKey(key.publicKey, 'der', { kid: 'k' }));
    workspace.openssl(['pkey', '-pubin', '-in', pemFile, '-noout']);
    expect(workspace.openssl(['pkey', '-pubin', '-in', derFile, '-inform', 'DER', '-pubout'])).toBe(workspace.read(`${name}.pub.pem`).toString());
  });
});
