import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchResult } from '../../main/api/dispatch.ts';
import { toErrorBody } from '../../main/core/errors.ts';
import { Session } from '../../main/services/session.ts';
import { harText, writeCapture } from '../support/capture.ts';
import { tempStore, type TempStore } from '../support/store.ts';

// The keystore file failing under a running Signet: a full disk, another process holding the store,
// a read-only file, a damaged page. Each is SQLite's own error from a real file, and each reaches the
// user as something they can act on, with nothing half-written.

let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

const count = (table: string) => (store.session.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('the keystore file failing', () => {
  it('a full disk during an import: says so, and stores nothing of the capture', async () => {
    const path = writeCapture(store.dir, 'big.har', harText(Array.from({ length: 400 }, (_, index) => ({ method: 'POST', url: `https://a.test/${index}`, body: 'x'.repeat(20_000) }))));
    // SQLite answers SQLITE_FULL once the file would pass max_page_count, as it does at ENOSPC.
    const pages = Number(store.session.db.pragma('page_count', { simple: true }));
    store.session.db.pragma(`max_page_count = ${pages + 100}`);
    const result = await dispatchResult(store.session, 'captures.import', { path });
    expect(result).toEqual({ ok: false, error: { code: 'ERR_STORE_UNAVAILABLE', message: expect.stringMatching(/^the disk holding the keystore is full/) } });
    expect([count('captures'), count('exchanges'), count('exchange_messages')]).toEqual([0, 0, 0]);
  });

  it('another process holding the store past the wait: asks to try again', async () => {
    const other = new Database(store.path);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      store.session.db.pragma('busy_timeout = 20');
      const result = await dispatchResult(store.session, 'keys.generate', { type: 'ec', name: 'blocked' });
      expect(result).toEqual({ ok: false, error: { code: 'ERR_STORE_UNAVAILABLE', message: expect.stringMatching(/^the keystore is busy in another Signet process/) } });
      other.prepare('ROLLBACK').run();
    } finally {
      other.close();
    }
    expect(count('keys')).toBe(0);
  });

  it('a read-only keystore: says it cannot be written', () => {
    const readonly = new Database(store.path, { readonly: true });
    try {
      let thrown: unknown;
      try {
        readonly.prepare('DELETE FROM settings').run();
      } catch (error) {
        thrown = error;
      }
      expect(toErrorBody(thrown)).toEqual({ code: 'ERR_STORE_UNAVAILABLE', message: expect.stringMatching(/^the keystore cannot be written/) });
    } finally {
      readonly.close();
    }
  });

  it('a damaged page found by a query: names the damage and the remedy, not a bug', async () => {
    const path = writeCapture(store.dir, 'case.har', harText(Array.from({ length: 300 }, (_, index) => ({ url: `https://a.test/${index}` }))));
    const imported = await dispatchResult(store.session, 'captures.import', { path });
    if (!imported.ok) throw new Error(imported.error.message);
    const { id } = imported.value as { id: string };
    const { rootpage } = store.session.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'exchanges'").get() as { rootpage: number };
    const pageSize = Number(store.session.db.pragma('page_size', { simple: true }));
    store.session.close();
    // The root page of the exchanges table overwritten with garbage, behind SQLite's back.
    const fd = openSync(store.path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);
    store.session = Session.open(store.path);
    const result = await dispatchResult(store.session, 'captures.exchanges', { id });
    expect(result).toEqual({ ok: false, error: { code: 'ERR_STORE_CORRUPT', message: expect.stringMatching(/^the keystore file is damaged/) } });
  });
});
