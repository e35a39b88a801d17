import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signet } from '../../support/cli.ts';
import { TEST_PASSPHRASE } from '../../support/store.ts';

// The CLI as a user runs it: a real process, a real keystore file, openssl on the other side.
let dir: string;
let store: string;
const run = (args: string[], env?: Record<string, string | undefined>) => signet(args, { store, ...(env && { env }) });
const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  store = join(dir, 'keystore.db');
  const init = await run(['init']);
  expect(init.code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface KeyJson {
  id: string;
  kid: string;
  status: string;
  hasPrivate: boolean;
  certificate?: { subject: string; sha256: string };
}

describe('keys on the command line', () => {
  let merchant: KeyJson;

  it('generates an RSA key with a certificate and lists it with every documented field', async () => {
    const generated = await run(['keys', 'generate', '--type', 'rsa', '--bits', '2048', '--owner', 'acme', '--name', 'acme merchant', '--cert', '--subject', 'CN=acme merchant,O=Acme', '--json']);
    expect(generated.code).toBe(0);
    merchant = generated.json<KeyJson>();
    const listed = await run(['keys', 'list', '--json']);
    const [first] = listed.json<Record<string, unknown>[]>();
    for (const field of ['id', 'kid', 'name', 'owner', 'type', 'alg', 'use', 'status', 'createdAt', 'expiresAt', 'revokedAt', 'hasPrivate', 'thumbprint']) expect(first).toHaveProperty(field);
    expect(first?.certificate).toMatchObject({ subject: 'CN=acme merchant,O=Acme', issuer: 'CN=acme merchant,O=Acme', serial: expect.any(String), notBefore: expect.any(String), notAfter: expect.any(String), sha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
  }, 60_000);

  it('exports a certificate openssl reads, with the same fingerprint', async () => {
    const out = join(dir, 'merchant.crt');
    expect((await run(['keys', 'export', merchant.kid, '--public', '--format', 'cert', '--out', out])).code).toBe(0);
    const fingerprint = openssl(['x509', '-in', out, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    expect(fingerprint).toBe(merchant.certificate?.sha256);
  });

  it('writes a CSR that openssl verifies', async () => {
    const out = join(dir, 'client.csr');
    expect((await run(['cert', 'csr', merchant.id, '--subject', 'CN=client.acme.test,O=Acme', '--san', 'dns:client.acme.test', '--out', out])).code).toBe(0);
    expect(openssl(['req', '-in', out, '-noout', '-verify', '-subject'])).toContain('client.acme.test');
  });

  it('exports the private key only when asked, openssl accepts it, and the export is audited', async () => {
    const out = join(dir, 'merchant.key');
    expect((await run(['keys', 'export', merchant.id, '--private', '--format', 'pem', '--out', out])).code).toBe(0);
    expect(() => openssl(['pkey', '-in', out, '-noout'])).not.toThrow();
    const audit = await run(['audit', 'list', '--key', merchant.id, '--json']);
    expect(audit.json<{ action: string }[]>().map((entry) => entry.action)).toContain('key.exported-private');
  });

  it('exports the private key encrypted under --password-file: openssl opens it with that password, and Signet imports it back', async () => {
    const out = join(dir, 'merchant.encrypted.key');
    const passwordFile = join(dir, 'export-password');
    writeFileSync(passwordFile, 'export password 1\n');
    expect((await run(['keys', 'export', merchant.id, '--private', '--format', 'pem', '--password-file', passwordFile, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const publicPem = (await run(['keys', 'export', merchant.id, '--public', '--format', 'pem'])).stdout;
    expect(openssl(['pkey', '-in', out, '-passin', `file:${passwordFile}`, '-pubout'])).toBe(publicPem);
    const copy = await run(['keys', 'import', out, '--password-file', passwordFile, '--kid', 'merchant-copy', '--json']);
    expect(copy.json<KeyJson[]>()[0]).toMatchObject({ hasPrivate: true, thumbprint: merchant.kid });
    // Imported without a start, it verifies what was signed before it was added: shown so, not from its import.
    expect((await run(['keys', 'show', 'merchant-copy'])).stdout).toMatch(/^ {2}valid {8}no start \(added \S+\) \.\. /m);
    expect((await run(['keys', 'delete', 'merchant-copy'])).code).toBe(0);
  });

  it('writes a self-signed certificate before printing: a failed --out leaves one JSON document, saying how to export the attached certificate', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    const result = await run(['cert', 'self-sign', key.id, '--subject', 'CN=attached', '--json', '--out', join(dir, 'no-such-dir', 'x.crt')]);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toContain(`signet keys export ${key.id} --public --format cert`);
    expect((await run(['keys', 'export', key.id, '--public', '--format', 'cert'])).stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('says, on renewing a key, that its self-signed certificate still ends where it did', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--cert', '--subject', 'CN=renewed', '--expires', '30d', '--json'])).json<KeyJson>();
    const renewed = await run(['keys', 'renew', key.id, '--expires', '1y']);
    expect(renewed.stdout).toMatch(new RegExp(`^Its self-signed certificate still ends at \\S+: issue a new one to go with the key \\(signet cert self-sign ${key.kid} --subject "CN=renewed"\\)\\.$`, 'm'));
  });

  it('refuses a future revocation, pointing at keys renew, and revokes at once on a compromise', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    const scheduled = await run(['keys', 'revoke', key.id, '--at', '2099-01-01T00:00:00Z', '--reason', 'planned']);
    expect({ code: scheduled.code, stderr: scheduled.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('signet keys renew') });
    const renewed = await run(['keys', 'renew', key.id, '--expires', '2099-01-01T00:00:00Z']);
    expect(renewed.stdout).toMatch(/^Renewed .*: it now expires at 2099-01-01T00:00:00\.000Z\.$/m);
    const compromised = await run(['keys', 'revoke', key.id, '--reason', 'key compromise']);
    expect(compromised.code).toBe(0);
    expect(compromised.stdout).toMatch(/^Revoked .* since .*: key compromise\.$/m);
  });

  it('imports a key made by openssl, as a PKCS#12 with its password', async () => {
    const key = join(dir, 'partner.key');
    const cert = join(dir, 'partner.crt');
    const p12 = join(dir, 'partner.p12');
    const passwordFile = join(dir, 'p12-password');
    writeFileSync(passwordFile, 'p12 secret pass\n');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=partner', '-days', '30']);
    openssl(['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', p12, '-passout', 'pass:p12 secret pass', '-name', 'Partner signing key']);
    const imported = await run(['keys', 'import', p12, '--password-file', passwordFile, '--owner', 'partner', '--json']);
    expect(imported.code).toBe(0);
    // Named as the file's friendlyName says, as a browser or keychain shows it.
    expect(imported.json<KeyJson[]>()[0]).toMatchObject({ name: 'Partner signing key', hasPrivate: true, certificate: { subject: 'CN=partner' } });
  }, 60_000);

  it('takes a kid that starts with a dash (one thumbprint in 64 does) as an argument and as a value', async () => {
    const generated = await run(['keys', 'generate', '--type', 'ec', '--kid', '-dash-first', '--json']);
    expect(generated.json()).toMatchObject({ kid: '-dash-first' });
    expect((await run(['keys', 'show', '-dash-first', '--json'])).json()).toMatchObject({ kid: '-dash-first' });
    expect((await run(['keys', 'delete', '-dash-first'])).code).toBe(0);
  });

  it('revokes with a reason and a past effective time', async () => {
    const revoked = await run(['keys', 'revoke', merchant.kid, '--reason', 'key compromise', '--at', '2026-01-01T00:00:00Z', '--json']);
    expect(revoked.json()).toMatchObject({ status: 'revoked', revocationReason: 'key compromise', revokedAt: '2026-01-01T00:00:00.000Z' });
  });
});

describe('bad input: exit 2, a one-line reason, nothing written', () => {
  async function expectRefused(args: string[], reason: RegExp, env?: Record<string, string | undefined>) {
    const before = await run(['audit', 'list', '--json']);
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await run(['audit', 'list', '--json'])).stdout).toBe(before.stdout);
  }

  it('garbage PEM', async () => {
    const file = join(dir, 'garbage.pem');
    writeFileSync(file, '-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n');
    await expectRefused(['keys', 'import', file], /key/i);
  });

  it('a truncated JWK', async () => {
    const file = join(dir, 'truncated.jwk');
    writeFileSync(file, '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"');
    await expectRefused(['keys', 'import', file], /JSON|JWK|truncated/i);
  });

  it('a wrong PKCS#12 password', async () => {
    const file = join(dir, 'wrong-password');
    writeFileSync(file, 'not the password\n');
    await expectRefused(['keys', 'import', join(dir, 'partner.p12'), '--password-file', file], /password/i);
  });

  it('an unknown key id', async () => {
    await expectRefused(['keys', 'show', 'k_doesnotexist'], /no key with id/);
  });

  it('an unreadable file', async () => {
    await expectRefused(['keys', 'import', join(dir, 'missing.pem')], /no such file/);
  });

  it('a wrong passphrase', async () => {
    await expectRefused(['keys', 'export', 'OPG-none', '--private', '--format', 'jwk'], /no key/);
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    await expectRefused(['keys', 'export', key.id, '--private', '--format', 'pem'], /wrong passphrase/, { SIGNET_PASSPHRASE: 'definitely wrong' });
  });

  it('a password for a private JWK, which cannot hold one', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    const passwordFile = join(dir, 'jwk-password');
    writeFileSync(passwordFile, 'export password 1\n');
    await expectRefused(['keys', 'export', key.id, '--private', '--format', 'jwk', '--password-file', passwordFile], /a JWK cannot be protected by a password/);
  });

  it('a certificate request for a revoked key', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    expect((await run(['keys', 'revoke', key.id, '--reason', 'key compromise'])).code).toBe(0);
    await expectRefused(['cert', 'csr', key.id, '--subject', 'CN=revoked'], /is revoked: key compromise/);
  });

  it('an unknown option, with the command usage', async () => {
    const result = await run(['keys', 'generate', '--type', 'rsa', '--colour', 'blue']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: signet keys generate');
  });
});

describe('keystore', () => {
  it('changes the passphrase: the old one stops working', async () => {
    const changed = await run(['passphrase', 'change'], { SIGNET_NEW_PASSPHRASE: 'the new passphrase 2' });
    expect(changed.code).toBe(0);
    const key = (await run(['keys', 'list', '--json'])).json<KeyJson[]>().find((entry) => entry.hasPrivate && entry.status === 'active');
    expect((await run(['keys', 'export', key?.id ?? '', '--private', '--format', 'jwk'])).code).toBe(2);
    expect((await run(['keys', 'export', key?.id ?? '', '--private', '--format', 'jwk'], { SIGNET_PASSPHRASE: 'the new passphrase 2' })).code).toBe(0);
    expect((await run(['passphrase', 'change'], { SIGNET_PASSPHRASE: 'the new passphrase 2', SIGNET_NEW_PASSPHRASE: TEST_PASSPHRASE })).code).toBe(0);
  }, 60_000);

  it('audit verify passes, then names the row edited by hand and exits 1', async () => {
    expect((await run(['audit', 'verify'])).code).toBe(0);
    const raw = new Database(store);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.exec(`UPDATE audit_log SET detail = '{"kid":"forged"}' WHERE seq = 3`);
    raw.close();
    const result = await run(['audit', 'verify', '--json']);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
  });

  it('says how to start when there is no keystore', async () => {
    const result = await signet(['keys', 'list'], { store: join(dir, 'none', 'keystore.db') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('signet init');
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('refuses to initialise twice', async () => {
    const before = readFileSync(store).length;
    const result = await run(['init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already/);
    expect(readFileSync(store).length).toBe(before);
  });
});
