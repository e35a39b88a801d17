import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { encodeHeader, parseHeader, type BackupHeader } from '../../../main/core/backup/format.ts';
import { backupKeystore, restoreKeystore } from '../../../main/services/backup.ts';
import { importCapture, listCaptures } from '../../../main/services/captures.ts';
import { changePassphrase, initKeystore, unlockKeystore } from '../../../main/services/keystore.ts';
import { generateKey, importSecret } from '../../../main/services/keys.ts';
import { resolveKey, secretOf } from '../../../main/services/key-records.ts';
import { Session } from '../../../main/services/session.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { SIGNET_BIN } from '../../support/cli.ts';
import { TEST_KDF, TEST_PASSPHRASE, tempStore, type TempStore } from '../../support/store.ts';
import { storeContent } from './support.ts';

let store: TempStore;
/** A secret and a captured bearer token made in the test: neither may appear in the backup's bytes. */
const partnerSecret = `partner-secret-${randomBytes(12).toString('hex')}`;
const capturedToken = `captured-bearer-${randomBytes(12).toString('hex')}`;

beforeEach(async () => {
  store = await tempStore();
  await someKeys(store.session);
  await importSecret(store.session, { appId: 'PARTNER-9', secret: Buffer.from(partnerSecret) });
  updateSettings(store.session, { inspection: { clockToleranceSec: 120 } });
  const capture = writeCapture(store.dir, 'case.har', harText([{ method: 'POST', url: 'https://api.test/pay', headers: { Authorization: `Bearer ${capturedToken}` }, body: '{"amount":5}' }]));
  await importCapture(store.session, { path: capture, name: 'support case' });
}, 60_000);
afterEach(() => store.cleanup());

async function someKeys(session: Session): Promise<void> {
  await generateKey(session, { type: 'ec', curve: 'P-256', name: 'callback signer', owner: 'klix' });
  await generateKey(session, { type: 'ed25519', name: 'merchant signing', owner: 'acme' });
  await generateKey(session, { type: 'hmac', appId: 'OPG-APP-1', name: 'OnePoint app' });
}

const backupPath = () => join(store.dir, 'keystore.signet-backup');

function newStore(name: string): Session {
  return Session.open(join(store.dir, name), { create: true });
}

/** The backup with its header rewritten (re-encoded with the right length, so only the content differs). */
function withHeader(bytes: Buffer, change: (header: BackupHeader) => BackupHeader): Buffer {
  const { header, bodyOffset } = parseHeader(bytes, bytes.length);
  return Buffer.concat([encodeHeader(change(header)).prefix, bytes.subarray(bodyOffset)]);
}

/** `signet restore` of `backup` onto the test's store, run to its end while this thread waits. */
function restoreInAnotherProcess(backup: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [SIGNET_BIN, 'restore', backup, '--force'], { env: { ...process.env, SIGNET_STORE: store.path, SIGNET_PASSPHRASE: TEST_PASSPHRASE }, encoding: 'utf8' });
}

const withoutRestoreRows = (action: string) => action === 'keystore.backup-written' || action === 'keystore.restored';

describe('backup', () => {
  it('writes one owner-only file that holds no secret, no captured credential, in clear', async () => {
    const view = await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const bytes = readFileSync(backupPath());
    expect(view).toMatchObject({ path: backupPath(), bytes: bytes.length, keys: 4, captures: 1 });
    expect(statSync(backupPath()).mode & 0o777).toBe(0o600);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('SIGNETBK');
    expect(bytes.includes(Buffer.from(partnerSecret))).toBe(false);
    expect(bytes.includes(Buffer.from(capturedToken))).toBe(false);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
  });

  it('is audited in the store it was taken from', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    expect(store.session.audit.list({ limit: 1 })[0]).toMatchObject({ action: 'keystore.backup-written', detail: { file: 'keystore.signet-backup' } });
    expect(store.session.audit.verify().ok).toBe(true);
  });

  it('refuses a passphrase that does not unlock the keystore, and writes nothing', async () => {
    await expect(backupKeystore(store.session, { path: backupPath(), passphrase: 'not the passphrase' })).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE' });
    expect(existsSync(backupPath())).toBe(false);
  });

  it('refuses to replace an existing file unless asked to', async () => {
    writeFileSync(backupPath(), 'precious');
    await expect(backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('--force') });
    expect(readFileSync(backupPath(), 'utf8')).toBe('precious');
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE, overwrite: true });
    expect(readFileSync(backupPath()).subarray(0, 8).toString()).toBe('SIGNETBK');
  });

  it('leaves no temporary file beside the store or the backup', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    expect(readdirSync(store.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('restore', () => {
  it('round-trips every key, secret, capture, setting and audit row into a new store', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const target = newStore('restored.db');
    try {
      const view = await restoreKeystore(target, { path: backupPath(), passphrase: TEST_PASSPHRASE });
      expect(view).toMatchObject({ keys: 4, captures: 1 });
      expect(storeContent(target.db, { exceptAudit: withoutRestoreRows })).toEqual(storeContent(store.session.db, { exceptAudit: withoutRestoreRows }));
      expect(target.audit.verify()).toMatchObject({ ok: true });
      await unlockKeystore(target, TEST_PASSPHRASE);
      expect(secretOf(target, resolveKey(target, 'PARTNER-9')).toString()).toBe(partnerSecret);
    } finally {
      target.close();
    }
  });

  it.each([4096, 65536])('restores across page sizes (a keystore of %i-byte pages, as older ones are, and back)', async (pageSize) => {
    // A store made as an older Signet made it: the page size is set before anything is written.
    const olderPath = join(store.dir, `older-${pageSize}.db`);
    const raw = new Database(olderPath);
    raw.pragma(`page_size = ${pageSize}`);
    raw.pragma('journal_mode = WAL');
    raw.close();
    const older = Session.open(olderPath);
    try {
      expect(older.db.pragma('page_size', { simple: true })).toBe(pageSize);
      // A new backup into the older store, then the older store's backup into a new store.
      await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
      await restoreKeystore(older, { path: backupPath(), passphrase: TEST_PASSPHRASE });
      expect(storeContent(older.db, { exceptAudit: withoutRestoreRows })).toEqual(storeContent(store.session.db, { exceptAudit: withoutRestoreRows }));
      const olderBackup = join(store.dir, 'older.signet-backup');
      await backupKeystore(older, { path: olderBackup, passphrase: TEST_PASSPHRASE });
      const target = newStore('restored.db');
      try {
        await restoreKeystore(target, { path: olderBackup, passphrase: TEST_PASSPHRASE });
        expect(target.db.pragma('page_size', { simple: true })).toBe(16384);
        expect(storeContent(target.db, { exceptAudit: withoutRestoreRows })).toEqual(storeContent(store.session.db, { exceptAudit: withoutRestoreRows }));
        expect(target.audit.verify()).toMatchObject({ ok: true });
      } finally {
        target.close();
      }
    } finally {
      older.close();
    }
  });

  it('leaves out an import that was still running when the backup was taken', async () => {
    const [done] = listCaptures(store.session);
    store.session.captures.begin({ id: 'c_running', name: 'half', format: 'har', fileName: 'half.har', importedAt: new Date(), checkedAt: null });
    store.session.db.prepare(`INSERT INTO exchanges (capture_id, idx, method, host, path, severity, verdicts) VALUES ('c_running', 0, 'GET', 'a', '/', 0, '')`).run();
    const backup = await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    expect(backup.captures).toBe(1);
    const target = newStore('restored.db');
    try {
      expect(await restoreKeystore(target, { path: backupPath(), passphrase: TEST_PASSPHRASE })).toMatchObject({ captures: 1 });
      expect(target.db.prepare('SELECT id, state FROM captures').all()).toEqual([{ id: done?.id, state: 'complete' }]);
      expect(target.db.prepare('SELECT DISTINCT capture_id FROM exchanges').all()).toEqual([{ capture_id: done?.id }]);
    } finally {
      target.close();
    }
  });

  it('refuses while this session imports a capture, and the import completes', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const path = writeCapture(store.dir, 'big.har', harText(Array.from({ length: 2_000 }, (_, index) => ({ url: `https://api.test/${index}` }))));
    let refused: Promise<unknown> | undefined;
    const restore = () => restoreKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE }).then(() => 'restored', (error: unknown) => error);
    const importing = importCapture(store.session, { path, workers: 0, onProgress: () => (refused ??= restore()) });
    await expect(importing).resolves.toMatchObject({ exchangeCount: 2_000 });
    expect(await refused).toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringMatching(/^a capture is being imported/) });
    expect(listCaptures(store.session)).toHaveLength(2);
  });

  it('stops an import in another process with a clear error when the store is restored under it', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const path = writeCapture(store.dir, 'big.har', harText(Array.from({ length: 5_000 }, (_, index) => ({ url: `https://api.test/${index}` }))));
    // The other process runs between two batches of the import.
    let restored: SpawnSyncReturns<string> | undefined;
    const importing = importCapture(store.session, { path, workers: 0, onProgress: () => void (restored ??= restoreInAnotherProcess(backupPath())) });
    await expect(importing).rejects.toMatchObject({ code: 'ERR_STORE_REPLACED', message: expect.stringMatching(/restored from a backup meanwhile/) });
    expect(restored).toMatchObject({ status: 0, stderr: '' });
    expect(listCaptures(store.session).map((capture) => capture.name)).toEqual(['support case']);
    expect(store.session.db.prepare("SELECT count(*) AS n FROM exchanges WHERE capture_id NOT IN (SELECT id FROM captures WHERE state = 'complete')").get()).toEqual({ n: 0 });
  }, 60_000);

  it("locks a console left unlocked when another process restores another keystore's backup under it", async () => {
    const other = newStore('other.db');
    try {
      await initKeystore(other, TEST_PASSPHRASE, TEST_KDF);
      await importSecret(other, { appId: 'OTHER-APP', secret: Buffer.from('the other keystore secret') });
      await backupKeystore(other, { path: join(store.dir, 'other.signet-backup'), passphrase: TEST_PASSPHRASE });
    } finally {
      other.close();
    }
    expect(restoreInAnotherProcess(join(store.dir, 'other.signet-backup'))).toMatchObject({ status: 0, stderr: '' });
    // The master key in memory is the replaced keystore's: nothing may be sealed under it any more.
    expect(store.session.unlocked).toBe(false);
    await expect(generateKey(store.session, { type: 'ec', name: 'would be sealed under the wrong key' })).rejects.toMatchObject({ code: 'ERR_LOCKED', message: expect.stringMatching(/another Signet process restored it/) });
    await unlockKeystore(store.session, TEST_PASSPHRASE);
    expect(secretOf(store.session, resolveKey(store.session, 'OTHER-APP')).toString()).toBe('the other keystore secret');
  });

  it('stays unlocked when another process restores this keystore\'s own backup (same master key)', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    expect(restoreInAnotherProcess(backupPath())).toMatchObject({ status: 0, stderr: '' });
    expect(store.session.unlocked).toBe(true);
    expect(secretOf(store.session, resolveKey(store.session, 'PARTNER-9')).toString()).toBe(partnerSecret);
  });

  it('records the restore at the end of the restored audit chain', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const target = newStore('restored.db');
    try {
      await restoreKeystore(target, { path: backupPath(), passphrase: TEST_PASSPHRASE });
      expect(target.audit.list({ limit: 1 })[0]).toMatchObject({ action: 'keystore.restored', detail: { file: 'keystore.signet-backup', keys: 4 } });
    } finally {
      target.close();
    }
  });

  it('replaces an existing keystore in place and locks it (the session sees the restored rows)', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const keptKeys = store.session.keys.count();
    await generateKey(store.session, { type: 'ec', name: 'made after the backup' });
    expect(store.session.keys.count()).toBe(keptKeys + 1);
    await restoreKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    expect(store.session.keys.count()).toBe(keptKeys);
    expect(store.session.unlocked).toBe(false);
    expect(store.session.audit.verify().ok).toBe(true);
  });

  it('restores a backup made under an older passphrase when the current one is given too', async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    await changePassphrase(store.session, TEST_PASSPHRASE, 'the newer passphrase', TEST_KDF);
    await expect(restoreKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE', message: expect.stringContaining('current keystore') });
    await restoreKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE, currentPassphrase: 'the newer passphrase' });
    await expect(unlockKeystore(store.session, TEST_PASSPHRASE)).resolves.toMatchObject({ unlocked: true });
  });

  it('takes only full paths through the API (the console and serve), as a relative one lands where the server started', async () => {
    await expect(dispatch(store.session, 'keystore.backup', { path: 'relative.sgb', passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('a full path') });
    await expect(dispatch(store.session, 'keystore.restore', { path: 'relative.sgb', passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });

  it("names a wrong backup passphrase as the backup's, not as this keystore's", async () => {
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const refusal = restoreKeystore(store.session, { path: backupPath(), passphrase: 'not the backup passphrase' });
    await expect(refusal).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE', message: expect.not.stringContaining('current keystore') });
  });

  describe('refuses, changing nothing in the current store,', () => {
    async function expectRefused(mutate: (bytes: Buffer) => Buffer, code: string, passphrase = TEST_PASSPHRASE): Promise<void> {
      await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
      writeFileSync(backupPath(), mutate(readFileSync(backupPath())));
      const before = storeContent(store.session.db);
      await expect(restoreKeystore(store.session, { path: backupPath(), passphrase })).rejects.toMatchObject({ code });
      expect(storeContent(store.session.db)).toEqual(before);
      expect(store.session.unlocked).toBe(true);
      expect(readdirSync(store.dir).filter((name) => name.includes('.signet-restore-'))).toEqual([]);
    }
    const flipAt = (offsetFromEnd: number) => (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      const at = copy.length - offsetFromEnd;
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      return copy;
    };

    it('a wrong passphrase', () => expectRefused((bytes) => bytes, 'ERR_BAD_PASSPHRASE', 'a wrong passphrase!'));
    it('a flipped bit near the end of the sealed snapshot', () => expectRefused(flipAt(100), 'ERR_BACKUP_CORRUPT'));
    it('a flipped bit near the start of the sealed snapshot', () => expectRefused((bytes) => flipAt(bytes.length - 2000)(bytes), 'ERR_BACKUP_CORRUPT'));
    it('a truncated file', () => expectRefused((bytes) => bytes.subarray(0, bytes.length - 1), 'ERR_BACKUP_CORRUPT'));
    it('bytes appended', () => expectRefused((bytes) => Buffer.concat([bytes, Buffer.from('x')]), 'ERR_BACKUP_CORRUPT'));
    it('an edited header (created-at moved back a year)', () =>
      expectRefused((bytes) => withHeader(bytes, (header) => ({ ...header, createdAt: header.createdAt.replace(/^\d{4}/, (year) => String(Number(year) - 1)) })), 'ERR_BACKUP_CORRUPT'));
    it('a file that is not a backup', () => expectRefused(() => Buffer.from('SQLite format 3\0 not really'), 'ERR_BACKUP_CORRUPT'));
    it('a header asking for an absurd scrypt cost (before deriving anything)', () =>
      expectRefused((bytes) => withHeader(bytes, (header) => ({ ...header, params: { ...header.params, N: 2 ** 30 } })), 'ERR_BACKUP_CORRUPT'));
  });

  it('refuses a backup whose audit chain was tampered with before it was taken', async () => {
    store.session.db.exec('DROP TRIGGER audit_no_update');
    store.session.db.prepare("UPDATE audit_log SET detail = '{}' WHERE seq = 2").run();
    await backupKeystore(store.session, { path: backupPath(), passphrase: TEST_PASSPHRASE });
    const target = newStore('restored.db');
    try {
      await expect(restoreKeystore(target, { path: backupPath(), passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({
        code: 'ERR_BACKUP_CORRUPT',
        message: expect.stringContaining('audit chain'),
      });
      expect(target.keys.count()).toBe(0);
    } finally {
      target.close();
    }
  });
});
