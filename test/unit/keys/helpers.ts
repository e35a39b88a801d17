import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isSignetError, type ErrorCode } from '../../../main/core/errors.ts';
import { generateAsymmetric } from '../../../main/core/keys/generate.ts';
import type { AsymmetricKey, KeySpec } from '../../../main/core/keys/types.ts';

export const OPENSSL = '/usr/bin/openssl';

/** Every asymmetric key type Signet handles, with a readable name for test titles. */
export const KEY_SPECS: { name: string; spec: KeySpec }[] = [
  { name: 'RSA-2048', spec: { type: 'rsa', bits: 2048 } },
  { name: 'EC P-256', spec: { type: 'ec', curve: 'P-256' } },
  { name: 'EC P-384', spec: { type: 'ec', curve: 'P-384' } },
  { name: 'EC P-521', spec: { type: 'ec', curve: 'P-521' } },
  { name: 'Ed25519', spec: { type: 'ed25519' } },
  { name: 'X25519', spec: { type: 'x25519' } },
];

export const SIGNING_SPECS = KEY_SPECS.filter(({ spec }) => spec.type !== 'x25519');

export async function generateAll(specs = KEY_SPECS): Promise<Map<string, AsymmetricKey>> {
  const keys = await Promise.all(specs.map(({ spec }) => generateAsymmetric(spec)));
  return new Map(specs.map(({ name }, index) => [name, keys[index] as AsymmetricKey]));
}

export function keyNamed(keys: Map<string, AsymmetricKey>, name: string): AsymmetricKey & { privateKey: NonNullable<AsymmetricKey['privateKey']> } {
  const key = keys.get(name);
  if (!key?.privateKey) throw new Error(`test key ${name} was not generated`);
  return { ...key, privateKey: key.privateKey };
}

/** A temp folder for files handed to openssl; removed by `cleanup`. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'signet-keys-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, content: Uint8Array | string): string {
    writeFileSync(this.path(name), content);
    return this.path(name);
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  /** Runs openssl with its output captured; throws (with stderr) when it exits non-zero. */
  openssl(args: string[]): string {
    return execFileSync(OPENSSL, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
  }

  /** Like `openssl`, for commands that report on stderr (`pkcs12 -info`): both streams, stderr last. */
  opensslReport(args: string[]): string {
    const run = spawnSync(OPENSSL, args, { cwd: this.dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout + run.stderr;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Asserts that the promise (or function) fails with a SignetError of this code (and message). */
export async function expectSignetError(action: Promise<unknown> | (() => unknown), code: ErrorCode, message?: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    caught = error;
  }
  if (!isSignetError(caught)) throw new Error(`expected a SignetError ${code}, got ${String(caught)}`);
  expect(caught.code).toBe(code);
  if (message) expect(caught.message).toMatch(message);
}

export interface OpensslChain {
  leaf: Buffer;
  intermediate: Buffer;
  root: Buffer;
}

/**
 * A root CA, an intermediate CA and a leaf issued by openssl for the key in `leafCsrPem` (or, with
 * `forcePublicKeyPem`, for a key that cannot sign its own request, such as X25519). DER certificates.
 */
export function opensslChain(workspace: Workspace, leafCsrPem: Uint8Array, forcePublicKeyPem?: Uint8Array): OpensslChain {
  workspace.write('ca.ext', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  workspace.write('leaf.ext', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  workspace.openssl(['req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=Test Root', '-days', '30', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  workspace.openssl(['req', '-new', ...ec, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Test Intermediate']);
  workspace.openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.crt', '-days', '30', '-extfile', 'ca.ext']);
  workspace.write('leaf.csr', leafCsrPem);
  const force = forcePublicKeyPem ? ['-force_pubkey', workspace.write('forced.pub', forcePublicKeyPem)] : [];
  workspace.openssl(['x509', '-req', '-in', 'leaf.csr', ...force, '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '30', '-extfile', 'leaf.ext']);
  const der = (name: string): Buffer => {
    workspace.openssl(['x509', '-in', `${name}.crt`, '-outform', 'DER', '-out', `${name}.der`]);
    return workspace.read(`${name}.der`);
  };
  return { leaf: der('leaf'), intermediate: der('int'), root: der('root') };
}
