import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile } from '../../../main/core/keys/index.ts';
import { expectSignetError, Workspace } from './helpers.ts';

const text = (value: string | Buffer): Buffer => Buffer.from(value);
const privatePem = (key: KeyObject): Buffer => text(key.export({ format: 'pem', type: 'pkcs8' }));
const publicPem = (key: KeyObject): Buffer => text(key.export({ format: 'pem', type: 'spki' }));

describe('key types Signet does not handle', () => {
  it.each([
    ['ed448', generateKeyPairSync('ed448').privateKey],
    ['x448', generateKeyPairSync('x448').privateKey],
  ])('refuses a %s private key as an unsupported type, not as a damaged key', async (type, privateKey) => {
    await expectSignetError(parseKeyFile(privatePem(privateKey)), 'ERR_KEY_FORMAT', new RegExp(`^unsupported key type ${type};`));
    await expectSignetError(parseKeyFile(privateKey.export({ format: 'der', type: 'pkcs8' })), 'ERR_KEY_FORMAT', new RegExp(`^unsupported key type ${type};`));
  });
});

describe('RSA keys under 2048 bits', () => {
  const workspace = new Workspace();
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const strong = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const refusal = /^the RSA key is 1024 bits; JOSE requires at least 2048 \(RFC 7518 §3\.3, §3\.5\)/;

  beforeAll(() => {
    workspace.write('weak.key', privatePem(weak.privateKey));
    workspace.openssl(['req', '-x509', '-key', 'weak.key', '-out', 'weak.crt', '-subj', '/CN=weak', '-days', '2']);
    workspace.openssl(['pkcs12', '-export', '-inkey', 'weak.key', '-in', 'weak.crt', '-passout', 'pass:p12 password', '-out', 'weak.p12']);
  });
  afterAll(() => workspace.cleanup());

  it('refuses the private key in PEM and DER, naming its size', async () => {
    await expectSignetError(parseKeyFile(privatePem(weak.privateKey)), 'ERR_KEY_FORMAT', refusal);
    await expectSignetError(parseKeyFile(weak.privateKey.export({ format: 'der', type: 'pkcs1' })), 'ERR_KEY_FORMAT', refusal);
    const rsa512 = generateKeyPairSync('rsa', { modulusLength: 512 });
    await expectSignetError(parseKeyFile(privatePem(rsa512.privateKey)), 'ERR_KEY_FORMAT', /^the RSA key is 512 bits/);
  });

  it('refuses the public key alone', async () => {
    await expectSignetError(parseKeyFile(publicPem(weak.publicKey)), 'ERR_KEY_FORMAT', refusal);
  });

  it('refuses it as a JWK, private or public', async () => {
    await expectSignetError(parseKeyFile(text(JSON.stringify(weak.privateKey.export({ format: 'jwk' })))), 'ERR_KEY_FORMAT', refusal);
    await expectSignetError(parseKeyFile(text(JSON.stringify(weak.publicKey.export({ format: 'jwk' })))), 'ERR_KEY_FORMAT', refusal);
  });

  it('refuses a whole JWKS for one weak key among good ones, naming which, as for any bad key in a set', async () => {
    const jwks = { keys: [strong.publicKey.export({ format: 'jwk' }), weak.publicKey.export({ format: 'jwk' })] };
    await expectSignetError(parseKeyFile(text(JSON.stringify(jwks))), 'ERR_KEY_FORMAT', /^JWKS key #2: the RSA key is 1024 bits/);
  });

  it('refuses a certificate holding it', async () => {
    await expectSignetError(parseKeyFile(workspace.read('weak.crt')), 'ERR_KEY_FORMAT', refusal);
  });

  it('refuses it in a PKCS#12 file', async () => {
    await expectSignetError(parseKeyFile(workspace.read('weak.p12'), { password: 'p12 password' }), 'ERR_KEY_FORMAT', refusal);
  });

  it('still reads a 2048-bit key', async () => {
    const parsed = await parseKeyFile(privatePem(strong.privateKey));
    expect(parsed.keys[0]).toMatchObject({ type: 'rsa', size: 2048 });
  });
});

describe('an encrypted key file without its password', () => {
  const workspace = new Workspace();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const whereItGoes = /: give it \(Keys › Import › Password, or signet keys import FILE --password-file F\)$/;

  beforeAll(() => {
    workspace.write('ec.key', privatePem(privateKey));
    workspace.openssl(['req', '-x509', '-key', 'ec.key', '-out', 'ec.crt', '-subj', '/CN=ec', '-days', '2']);
    workspace.openssl(['pkcs12', '-export', '-inkey', 'ec.key', '-in', 'ec.crt', '-passout', 'pass:p12 password', '-out', 'ec.p12']);
  });
  afterAll(() => workspace.cleanup());

  it('says where the password goes, in the console and on the command line', async () => {
    const encrypted = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' });
    await expectSignetError(parseKeyFile(text(encrypted)), 'ERR_BAD_PASSWORD', whereItGoes);
    const legacy = privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'open sesame' });
    await expectSignetError(parseKeyFile(text(legacy)), 'ERR_BAD_PASSWORD', whereItGoes);
    const der = privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'open sesame' });
    await expectSignetError(parseKeyFile(der), 'ERR_BAD_PASSWORD', whereItGoes);
    await expectSignetError(parseKeyFile(workspace.read('ec.p12')), 'ERR_BAD_PASSWORD', whereItGoes);
  });
});
