import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../../main/services/captures.ts';
import { Session } from '../../../main/services/session.ts';
import { unlockVault } from '../../../main/store/vault.ts';
import { harEntry } from '../../support/capture.ts';
import { signet } from '../../support/cli.ts';
import { TEST_PASSPHRASE, tempStore, type TempStore } from '../../support/store.ts';
import { expectSoundStore, killNine, peek, start, walGrew, when } from './support.ts';

// kill -9 in the middle of the operations that write the most: afterwards the store opens, passes
// integrity_check, its audit chain verifies, and the operation happened entirely or not at all.

let store: TempStore;
afterEach(() => store.cleanup());

/** A store made in the test and closed, so the CLI is the only writer (its WAL starts empty). */
async function closedStore(): Promise<string> {
  store = await tempStore();
  store.session.close();
  return store.path;
}

/** A HAR of `entries` small exchanges, written as a stream. */
async function bigHar(path: string, entries: number): Promise<void> {
  function* text(): Generator<string> {
    yield '{"log":{"version":"1.2","creator":{"name":"crash-test","version":"1"},"entries":[';
    for (let index = 0; index < entries; index++) {
      const entry = harEntry({ method: 'POST', url: `https://api.test/orders/${index}`, headers: { Authorization: `Bearer token-${index}` }, body: `{"order":${index},"pad":"${'p'.repeat(400)}"}` });
      yield `${index === 0 ? '' : ','}${JSON.stringify(entry)}`;
    }
    yield ']}}';
  }
  await pipeline(Readable.from(text()), createWriteStream(path));
}

function jwksFile(path: string, count: number): string[] {
  const kids = Array.from({ length: count }, (_unused, index) => `bulk-${index}`);
  const keys = kids.map((kid) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid }));
  writeFileSync(path, JSON.stringify({ keys }));
  return kids;
}

describe('kill -9 during a capture import', () => {
  it('leaves no capture, or the whole capture', async () => {
    const path = await closedStore();
    const har = join(store.dir, 'big.har');
    const entries = 30_000;
    await bigHar(har, entries);
    const running = start(['capture', 'import', har], path);
    // The import commits in batches: kill once some rows are on disk but (almost surely) not all.
    const midway = await when(running, () => (peek(path, (db) => (db.prepare('SELECT count(*) AS n FROM exchanges').get() as { n: number }).n) ?? 0) > 0);
    await killNine(running);
    await expectSoundStore(path);
    const session = Session.open(path);
    try {
      const captures = session.captures.list();
      const rows = (session.db.prepare('SELECT count(*) AS n FROM exchanges').get() as { n: number }).n;
      if (captures.length === 0) expect(rows).toBe(0);
      else expect({ captures: captures.length, exchanges: captures[0]?.exchangeCount, rows }).toEqual({ captures: 1, exchanges: entries, rows: entries });
      expect(midway || captures.length === 1).toBe(true);
    } finally {
      session.close();
    }
  }, 120_000);
});

describe('kill -9 during a bulk key import', () => {
  it.each([1, 2, 3])('imports all 1000 keys of a JWKS or none of them (round %i)', async () => {
    const path = await closedStore();
    const kids = jwksFile(join(store.dir, 'bulk.jwks'), 1000);
    const running = start(['keys', 'import', join(store.dir, 'bulk.jwks')], path);
    // The import is one transaction: the WAL grows only when it commits.
    await when(running, walGrew(path));
    await killNine(running);
    await expectSoundStore(path);
    const imported = peek(path, (db) => (db.prepare("SELECT count(*) AS n FROM keys WHERE kid LIKE 'bulk-%'").get() as { n: number }).n);
    const audited = peek(path, (db) => (db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'key.imported'").get() as { n: number }).n);
    expect([0, kids.length]).toContain(imported);
    expect(audited).toBe(imported);
  }, 120_000);
});

describe('kill -9 during a passphrase change', () => {
  async function unlocksWith(path: string, passphrase: string): Promise<boolean> {
    const session = Session.open(path);
    try {
      (await unlockVault(session.db, passphrase)).destroy();
      return true;
    } catch {
      return false;
    } finally {
      session.close();
    }
  }

  it.each([
    ['as it commits', walGrew],
    ['before it commits', (path: string) => () => existsSync(`${path}-shm`)],
  ] as const)('leaves exactly one working passphrase when killed %s', async (_moment, trigger) => {
    const path = await closedStore();
    const next = 'a brand new passphrase for the crash test';
    const running = start(['passphrase', 'change'], path, { SIGNET_NEW_PASSPHRASE: next });
    await when(running, trigger(path));
    await killNine(running);
    await expectSoundStore(path);
    const [oldWorks, newWorks] = [await unlocksWith(path, TEST_PASSPHRASE), await unlocksWith(path, next)];
    expect(oldWorks !== newWorks).toBe(true);
    const changes = peek(path, (db) => (db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'keystore.passphrase-changed'").get() as { n: number }).n);
    expect(changes).toBe(newWorks ? 1 : 0);
  }, 60_000);
});

describe('kill -9 during a backup', () => {
  async function storeWithData(): Promise<string> {
    store = await tempStore();
    const har = join(store.dir, 'bodies.har');
    await bigHar(har, 8_000);
    await importCapture(store.session, { path: har });
    store.session.close();
    return store.path;
  }

  it.each([
    ['while the snapshot is taken', (dir: string) => () => readdirSync(dir).some((name) => name.includes('.signet-backup-'))],
    ['while the sealed file is written', (dir: string, out: string) => () => readdirSync(dir).some((name) => name.startsWith(`${out.split('/').at(-1) ?? ''}.`) && name.endsWith('.tmp'))],
  ] as const)('leaves no half backup and a sound store when killed %s', async (_moment, trigger) => {
    const path = await storeWithData();
    const out = join(store.dir, 'nightly.signet-backup');
    const running = start(['backup', '--out', out], path);
    await when(running, trigger(store.dir, out));
    await killNine(running);
    // A backup file that exists is a complete one: it was renamed into place only after it was flushed.
    if (existsSync(out)) expect((await signet(['restore', out, '--store', join(store.dir, 'check.db')], { store: join(store.dir, 'check.db') })).code).toBe(0);
    await expectSoundStore(path);
    // The next backup sweeps the plaintext snapshot the killed one left beside the store.
    const again = await signet(['backup', '--out', join(store.dir, 'retry.signet-backup')], { store: path });
    expect(again.code).toBe(0);
    expect(readdirSync(store.dir).filter((name) => name.includes('.signet-backup-'))).toEqual([]);
  }, 120_000);
});

describe('two processes on one store', () => {
  it('runs notify run and a key import at the same time without corrupting anything', async () => {
    const path = await closedStore();
    const kids = jwksFile(join(store.dir, 'partners.jwks'), 200);
    for (let round = 0; round < 3; round++) {
      const importing = start(['keys', 'import', join(store.dir, 'partners.jwks'), '--name', `round ${round}`], path);
      const notifying = start(['notify', 'run'], path);
      const [imported, notified] = await Promise.all([importing.exited, notifying.exited]);
      if (round === 0) expect(imported).toMatchObject({ code: 0 });
      else expect(imported.stderr).toMatch(/already in the keystore/);
      expect(notified).toMatchObject({ code: 0 });
    }
    await expectSoundStore(path);
    expect(peek(path, (db) => (db.prepare("SELECT count(*) AS n FROM keys WHERE kid LIKE 'bulk-%'").get() as { n: number }).n)).toBe(kids.length);
  }, 120_000);

  it('lets another process open the store while a capture import runs (it is not taken for a crashed one)', async () => {
    const path = await closedStore();
    const har = join(store.dir, 'big.har');
    const entries = 30_000;
    await bigHar(har, entries);
    const importing = start(['capture', 'import', har], path);
    let imported = false;
    void importing.exited.then(() => (imported = true));
    expect(await when(importing, () => (peek(path, (db) => (db.prepare('SELECT count(*) AS n FROM exchanges').get() as { n: number }).n) ?? 0) > 0)).toBe(true);
    // Opening the store removes unfinished imports of processes that are gone: this one is not gone.
    expect(await start(['keys', 'list'], path).exited).toMatchObject({ code: 0 });
    expect(imported).toBe(false);
    expect(await importing.exited).toMatchObject({ code: 0, stderr: '' });
    expect(peek(path, (db) => db.prepare('SELECT state, exchange_count FROM captures').all())).toEqual([{ state: 'complete', exchange_count: entries }]);
    await expectSoundStore(path);
  }, 120_000);

  it('delivers each notification once when two notify runs race (claims are transactional)', async () => {
    store = await tempStore();
    const received: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      received.push(String(request.headers['x-signet-delivery']));
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { updateConfig } = await import('../../../main/services/notifications/index.ts');
      const { generateKey } = await import('../../../main/services/keys.ts');
      updateConfig(store.session, { channels: { webhookUrl: `http://127.0.0.1:${port}/hook` } });
      for (let index = 0; index < 6; index++) await generateKey(store.session, { type: 'ec', name: `key ${index} ${randomBytes(2).toString('hex')}` });
      store.session.close();
      const runs = [start(['notify', 'run'], store.path), start(['notify', 'run'], store.path)];
      const results = await Promise.all(runs.map((run) => run.exited));
      for (const result of results) expect(result.code).toBe(0);
      expect(received.length).toBeGreaterThanOrEqual(6);
      expect(new Set(received).size).toBe(received.length);
      await expectSoundStore(store.path);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
