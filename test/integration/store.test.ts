import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../main/store/db.ts';
import { seal, unseal, newMasterKey, unlockVault } from '../../main/store/vault.ts';
import { changePassphrase, unlockKeystore } from '../../main/services/keystore.ts';
import { Session } from '../../main/services/session.ts';
import { TEST_KDF, TEST_PASSPHRASE, tempStore, type TempStore } from '../support/store.ts';

let store: TempStore | undefined;
afterEach(() => store?.cleanup());

describe('vault', () => {
  it('opens what it sealed, with the same additional data', () => {
    const master = newMasterKey();
    const sealed = seal(master, 'k_1', Buffer.from('secret bytes'));
    expect(unseal(master, 'k_1', sealed).toString()).toBe('secret bytes');
  });

  it('refuses a blob moved to another row (additional data is the row id)', () => {
    const master = newMasterKey();
    const sealed = seal(master, 'k_1', Buffer.from('secret bytes'));
    expect(() => unseal(master, 'k_2', sealed)).toThrow(expect.objectContaining({ code: 'ERR_SEAL_TAMPERED' }));
  });

  it('detects a flipped bit in a sealed blob', () => {
    const master = newMasterKey();
    const sealed = seal(master, 'k_1', Buffer.from('secret bytes'));
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => unseal(master, 'k_1', sealed)).toThrow(expect.objectContaining({ code: 'ERR_SEAL_TAMPERED' }));
  });

  it('rejects a wrong passphrase with a clear error and changes nothing', async () => {
    store = await tempStore();
    const before = store.session.db.prepare("SELECT value FROM meta WHERE name = 'vault'").get();
    await expect(unlockVault(store.session.db, 'not the passphrase')).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE', message: expect.stringContaining('wrong passphrase') });
    expect(store.session.db.prepare("SELECT value FROM meta WHERE name = 'vault'").get()).toEqual(before);
  });

  it('re-wraps the master key on a passphrase change: the old one stops working, sealed rows still open', async () => {
    store = await tempStore();
    const sealed = seal(store.session.master, 'k_x', Buffer.from('kept'));
    await changePassphrase(store.session, TEST_PASSPHRASE, 'a brand new passphrase', TEST_KDF);
    await expect(unlockVault(store.session.db, TEST_PASSPHRASE)).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE' });
    const master = await unlockVault(store.session.db, 'a brand new passphrase');
    expect(unseal(master, 'k_x', sealed).toString()).toBe('kept');
  });

  it('refuses to change the passphrase without the current one', async () => {
    store = await tempStore();
    await expect(changePassphrase(store.session, 'wrong current pass', 'a brand new passphrase', TEST_KDF)).rejects.toMatchObject({ code: 'ERR_BAD_PASSPHRASE' });
    await expect(unlockKeystore(store.session, TEST_PASSPHRASE)).resolves.toMatchObject({ unlocked: true });
  });
});

describe('schema', () => {
  it('is migrated to the current version on open, in WAL mode with foreign keys on and 16 KiB pages', async () => {
    store = await tempStore();
    const db = store.session.db;
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(256); // 4 MiB of log
  });

  it('refuses a keystore written by a newer Signet', async () => {
    store = await tempStore();
    store.session.close();
    const raw = new Database(store.path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => Session.open(store?.path ?? '')).toThrow(expect.objectContaining({ code: 'ERR_STORE_TOO_NEW', message: expect.stringContaining('newer') }));
  });

  it('says how to create a keystore when there is none', () => {
    expect(() => Session.open('/nonexistent/folder/keystore.db')).toThrow(expect.objectContaining({ code: 'ERR_STORE_NOT_INITIALIZED', message: expect.stringContaining('signet init') }));
  });
});

describe('audit chain', () => {
  async function storeWithHistory(): Promise<TempStore> {
    const created = await tempStore();
    for (let i = 0; i < 4; i++) created.session.audit.append('test.event', null, { i }, new Date(Date.UTC(2026, 0, 1 + i)));
    return created;
  }

  /** Edits bypassing the append-only triggers, as someone with the file could. */
  function tamper(path: string, sql: string): void {
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    raw.exec(sql);
    raw.close();
  }

  it('verifies an untouched history', async () => {
    store = await storeWithHistory();
    expect(store.session.audit.verify()).toEqual({ ok: true, rows: 5 });
  });

  it('refuses edits and deletions through SQL (append-only triggers)', async () => {
    store = await storeWithHistory();
    expect(() => store?.session.db.exec("UPDATE audit_log SET detail = '{}' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => store?.session.db.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
  });

  it('names the row that was edited by hand', async () => {
    store = await storeWithHistory();
    store.session.close();
    tamper(store.path, `UPDATE audit_log SET detail = '{"i":99}' WHERE seq = 3`);
    store.session = Session.open(store.path);
    expect(store.session.audit.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: expect.stringContaining('edited') } });
  });

  it('names the gap where a row was removed', async () => {
    store = await storeWithHistory();
    store.session.close();
    tamper(store.path, 'DELETE FROM audit_log WHERE seq = 2');
    store.session = Session.open(store.path);
    expect(store.session.audit.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
  });

  it('notices rows cut off the end', async () => {
    store = await storeWithHistory();
    store.session.close();
    tamper(store.path, 'DELETE FROM audit_log WHERE seq = 5');
    store.session = Session.open(store.path);
    expect(store.session.audit.verify()).toMatchObject({ ok: false, brokenAt: { reason: expect.stringContaining('cut off') } });
  });
});
