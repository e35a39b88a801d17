import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signet } from '../../support/cli.ts';
import { OpensslCa } from './openssl-ca.ts';

// The two-way TLS flow of partner 001 as a user runs it: request from Signet, certificate from an openssl CA, back into Signet.
let dir: string;
let store: string;
let ca: OpensslCa;
const run = (args: string[]) => signet(args, { store });
const VALIDITY = { from: '2020-01-01T00:00:00Z', to: '2049-01-01T00:00:00Z' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-cert-cli-'));
  store = join(dir, 'keystore.db');
  ca = new OpensslCa();
  expect((await run(['init'])).code).toBe(0);
}, 60_000);
afterAll(() => {
  ca.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function issuedFor(id: string, name: string): Promise<Buffer> {
  const csr = join(dir, `${name}.csr`);
  expect((await run(['cert', 'csr', id, '--subject', 'CN=client.acme.test,O=Acme', '--out', csr])).code).toBe(0);
  return ca.issue(readFileSync(csr), VALIDITY);
}

describe('cert csr → CA → keys import', () => {
  let id: string;

  it('attaches the issued certificate to the key that asked for it, and lists that key', async () => {
    id = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<{ id: string }>().id;
    writeFileSync(join(dir, 'issued.crt'), await issuedFor(id, 'first'));
    const imported = await run(['keys', 'import', join(dir, 'issued.crt')]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toContain(id);
    expect(imported.stdout).toMatch(/^Certificate attached to \S+ \(EC P-256\): O=Acme,CN=client\.acme\.test, issued by CN=Test CA\.\n/);
    expect(imported.stdout).not.toContain('Imported');
    const listed = (await run(['keys', 'list', '--json'])).json<{ id: string; certificate?: { issuer: string } }[]>();
    expect(listed).toMatchObject([{ id, certificate: { issuer: 'CN=Test CA' } }]);
  });

  it('attaches a renewed certificate given with its CA chain', async () => {
    writeFileSync(join(dir, 'chain.pem'), Buffer.concat([await issuedFor(id, 'second'), ca.certificatePem]));
    expect((await run(['keys', 'import', join(dir, 'chain.pem')])).code).toBe(0);
    expect((await run(['keys', 'show', id, '--json'])).json<{ chain: { subject: string }[] }>().chain).toMatchObject([{ subject: 'CN=Test CA' }]);
  });

  it('will not self-sign over the CA\'s certificate without --replace', async () => {
    const refused = await run(['cert', 'self-sign', id, '--subject', 'CN=x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^signet cert self-sign: key "[^"]+" holds a certificate issued by CN=Test CA.*--replace/);
    const replaced = await run(['cert', 'self-sign', id, '--subject', 'CN=x', '--replace', '--json']);
    expect(replaced.code).toBe(0);
    expect(replaced.json<{ selfSigned: boolean }>().selfSigned).toBe(true);
  });
});

describe('cert self-sign --out', () => {
  it('names the key it attached the certificate to by kid and name, as keys import does', async () => {
    const { id, kid } = (await run(['keys', 'generate', '--type', 'ec', '--name', 'mTLS client', '--json'])).json<{ id: string; kid: string }>();
    const result = await run(['cert', 'self-sign', id, '--subject', 'CN=client.acme.test', '--out', join(dir, 'self-signed.crt')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Certificate attached to ${kid} \\(mTLS client\\):\n  subject      CN=client\\.acme\\.test\n`));
  });
});

describe('cert self-sign --days', () => {
  it.each(['0', '-5'])('refuses %s days rather than make a default-length certificate', async (days) => {
    const { id } = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<{ id: string }>();
    const result = await run(['cert', 'self-sign', id, '--subject', 'CN=x', '--days', days]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^signet cert self-sign: .*days/);
    expect((await run(['keys', 'show', id, '--json'])).json<{ certificate?: unknown }>().certificate).toBeUndefined();
  });
});
