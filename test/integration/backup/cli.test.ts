import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// `signet backup` and `signet restore` as a user (or a cron job) runs them.

let store: TempStore;
let backup: string;
const keysOf = async (path: string) => (await signet(['keys', 'list', '--json'], { store: path })).json<{ kid: string }[]>().map((key) => key.kid).sort();

beforeAll(async () => {
  store = await tempStore();
  await generateKey(store.session, { type: 'ec', name: 'signing' });
  await generateKey(store.session, { type: 'hmac', appId: 'OPG-CLI' });
  store.session.close();
  backup = join(store.dir, 'keystore.signet-backup');
  const written = await signet(['backup', '--out', backup, '--json'], { store: store.path });
  expect(written.code).toBe(0);
}, 60_000);
afterAll(() => store.cleanup());

describe('signet backup', () => {
  it('writes the sealed file and reports what it holds', async () => {
    expect(readFileSync(backup).subarray(0, 8).toString()).toBe('SIGNETBK');
    const again = await signet(['backup', '--out', backup], { store: store.path });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: choose another name, or allow replacing it \(--force, or "Replace the file if it exists"\)/);
  });

  it('needs --out', async () => {
    const result = await signet(['backup'], { store: store.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out FILE is required');
  });
});

describe('signet restore', () => {
  it('restores onto a new machine (no store yet) with every key, and the audit chain verifies', async () => {
    const target = join(store.dir, 'new-machine', 'keystore.db');
    const restored = await signet(['restore', backup, '--json'], { store: target });
    expect(restored.code).toBe(0);
    expect(restored.json()).toMatchObject({ keys: 2 });
    expect(await keysOf(target)).toEqual(await keysOf(store.path));
    expect((await signet(['audit', 'verify'], { store: target })).code).toBe(0);
  });

  it('refuses a tampered backup in one line, and leaves no store behind where there was none', async () => {
    const tampered = join(store.dir, 'tampered.signet-backup');
    const bytes = readFileSync(backup);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x40;
    writeFileSync(tampered, bytes);
    const target = join(store.dir, 'elsewhere.db');
    const result = await signet(['restore', tampered], { store: target });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('altered or damaged')]);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a wrong passphrase and leaves the current store as it was', async () => {
    const before = await keysOf(store.path);
    const result = await signet(['restore', backup, '--force'], { store: store.path, env: { SIGNET_BACKUP_PASSPHRASE: 'not the backup passphrase' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('wrong passphrase');
    expect(await keysOf(store.path)).toEqual(before);
  });

  it('will not replace the keys a keystore holds without --force, as backup will not write over a file', async () => {
    const before = await keysOf(store.path);
    const refused = await signet(['restore', backup], { store: store.path });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `signet restore: the keystore at ${store.path} holds 2 keys and 0 captures, which the restore replaces with the backup's (whatever was made since the backup is lost): pass --force to go on (to keep them, first: signet backup --out FILE)\n`,
    );
    expect(await keysOf(store.path)).toEqual(before);
    const restored = await signet(['restore', backup, '--force'], { store: store.path });
    expect(restored.stdout).toMatch(/^Restored .*: 2 keys, 0 captures, \d+ audit rows/);
  });
});
