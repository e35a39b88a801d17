import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { isSignetError } from '../../../main/core/errors.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// Key files as the CLI meets them: huge, endless, piped, and exports refused before they are made.

let store: TempStore;
beforeAll(async () => {
  store = await tempStore();
  store.session.close();
});
afterAll(() => store.cleanup());

const run = (args: string[], input?: Buffer) => signet(args, { store: store.path, ...(input && { input }) });

describe('reading a key file with a bound', () => {
  it('refuses a regular file over 1 MiB by its size: a 3 GB sparse file', async () => {
    const path = join(store.dir, 'sparse.bin');
    closeSync(openSync(path, 'w'));
    truncateSync(path, 3 * 1024 ** 3);
    const imported = await run(['keys', 'import', path]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe(`signet keys import: key file ${path} is larger than 1 MiB\n`);
  });

  it('refuses a file too big for a key file in its own words, not in those of the API field that carries it', async () => {
    const path = join(store.dir, 'three-mib.pem');
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 'A'));
    const imported = await run(['keys', 'import', path]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe(`signet keys import: key file ${path} is larger than 1 MiB\n`);
  });

  it('stops reading a device that never ends once past the limit', async () => {
    const imported = await run(['keys', 'import', '/dev/zero']);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe('signet keys import: key file /dev/zero is larger than 1 MiB\n');
  });

  it('stops reading a named pipe once past the limit', async () => {
    const fifo = join(store.dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    // 200 MB on offer; the writer ends on a broken pipe once the CLI stops reading.
    const writer = spawn('sh', ['-c', 'head -c 200000000 /dev/zero > "$1"', 'writer', fifo], { stdio: 'ignore' });
    try {
      const imported = await run(['keys', 'import', fifo]);
      expect(imported.code).toBe(2);
      expect(imported.stderr).toBe(`signet keys import: key file ${fifo} is larger than 1 MiB\n`);
    } finally {
      writer.kill();
    }
  });

  it('stops reading standard input once past the limit', async () => {
    const imported = await run(['keys', 'import', '-'], Buffer.alloc(1024 * 1024 + 1, 'A'));
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe('signet keys import: key file on standard input is larger than 1 MiB\n');
  });

  it('says how large a file the API takes when its base64 content is too long', async () => {
    const api = await tempStore();
    try {
      const refusal = await dispatch(api.session, 'keys.import', { contentBase64: 'A'.repeat(3_000_004) }).catch((error: unknown) => error);
      expect(isSignetError(refusal) && refusal.message).toBe('the file is larger than 2.1 MiB');
    } finally {
      api.cleanup();
    }
  });
});

describe('a private export refused before it is made', () => {
  let keyId: string;
  let passwordFile: string;
  const exportedPrivately = async () => (await run(['audit', 'list', '--key', keyId, '--json'])).json<{ action: string }[]>().filter((entry) => entry.action === 'key.exported-private').length;

  beforeAll(async () => {
    keyId = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<{ id: string }>().id;
    passwordFile = join(store.dir, 'export-password');
    writeFileSync(passwordFile, 'export password 1\n');
  });

  it('leaves no audit row when the file is already there', async () => {
    const existing = join(store.dir, 'exists.pem');
    writeFileSync(existing, 'another key\n');
    const before = await exportedPrivately();
    const exported = await run(['keys', 'export', keyId, '--private', '--format', 'pem', '--password-file', passwordFile, '--out', existing]);
    expect(exported.code).toBe(2);
    expect(await exportedPrivately()).toBe(before);
    expect(exported.stderr).toContain('already exists');
  });

  it('leaves no audit row when the folder is missing', async () => {
    const out = join(store.dir, 'missing', 'key.p12');
    const before = await exportedPrivately();
    const exported = await run(['keys', 'export', keyId, '--private', '--format', 'p12', '--password-file', passwordFile, '--out', out]);
    expect(exported.code).toBe(2);
    expect(await exportedPrivately()).toBe(before);
    expect(exported.stderr).toBe(`signet keys export: cannot write ${out}: there is no folder ${join(store.dir, 'missing')}\n`);
  });

  it('still audits an export that is written', async () => {
    const out = join(store.dir, 'written.p12');
    const before = await exportedPrivately();
    expect((await run(['keys', 'export', keyId, '--private', '--format', 'p12', '--password-file', passwordFile, '--out', out])).code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(await exportedPrivately()).toBe(before + 1);
  });
});
