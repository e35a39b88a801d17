import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// What the Electron host takes from its surroundings: capture files the OS hands over (command line,
// second instance, macOS open-file) and the SQLite addon named by SIGNET_SQLITE_BINDING. Each test
// loads main.ts afresh with `electron` replaced by a recorder (fake-electron.ts).

const fake = await vi.hoisted(async () => new (await import('./fake-electron.ts')).FakeElectron());
vi.mock('electron', () => fake.module);

const RENDERER_URL = 'signet://app/index.html';
let dir: string;
let capture: string;

/** A fresh host: argv and environment as given, the app not ready until `ready()`. */
async function loadHost(options: { argv?: string[]; isPackaged?: boolean } = {}): Promise<{ ready: () => Promise<void> }> {
  fake.reset();
  fake.isPackaged = options.isPackaged ?? true;
  vi.resetModules();
  const argv = process.argv;
  process.argv = options.argv ?? [process.execPath];
  try {
    await import('../../../main/adapters/electron/main.ts');
  } finally {
    process.argv = argv;
  }
  return {
    ready: async () => {
      fake.becomeReady();
      // app.whenReady().then(…) opens the window on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const sentToPage = () => fake.window().webContents.sent;
const pageLoaded = () => fake.window().webContents.emit('did-finish-load');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-launch-'));
  capture = join(dir, 'capture.har');
  writeFileSync(capture, '{"log":{"entries":[]}}');
  writeFileSync(join(dir, 'notes.md'), 'not a capture');
  mkdirSync(join(dir, 'folder.har'));
  process.env.SIGNET_STORE = join(dir, 'keystore.db');
});
afterEach(() => {
  fake.recorded.app.emit('window-all-closed');
  delete process.env.SIGNET_SQLITE_BINDING;
});
afterAll(() => {
  delete process.env.SIGNET_STORE;
  rmSync(dir, { recursive: true, force: true });
});

describe('captures handed over by the OS', () => {
  it('sends a capture named on the command line to the page once it has loaded, skipping flags and other files', async () => {
    const host = await loadHost({
      argv: ['/opt/Signet/signet', '--remote-debugging-port=0', capture, join(dir, 'notes.md'), join(dir, 'missing.har'), join(dir, 'folder.har'), `--log=${capture}`],
    });
    await host.ready();
    expect(sentToPage()).toEqual([]);
    pageLoaded();
    expect(sentToPage()).toEqual([['menu:open-capture', capture]]);
  });

  it('sends it once: a reload of the page does not open it again', async () => {
    const host = await loadHost({ argv: ['/opt/Signet/signet', capture] });
    await host.ready();
    pageLoaded();
    pageLoaded();
    expect(sentToPage()).toEqual([['menu:open-capture', capture]]);
  });

  it('takes a capture from a second instance, relative to its working directory, and brings the window forward', async () => {
    const host = await loadHost();
    await host.ready();
    pageLoaded();
    fake.window().minimized = true;
    fake.recorded.app.emit('second-instance', {}, ['/opt/Signet/signet', '--allow-file-access-from-files', 'capture.har', 'notes.md'], dir, {});
    expect(sentToPage()).toEqual([['menu:open-capture', capture]]);
    expect(fake.window()).toMatchObject({ restored: 1, focused: 1 });
  });

  it('keeps a capture macOS opens before the app is ready until the page has loaded', async () => {
    const host = await loadHost();
    const opened = { preventDefault: vi.fn() };
    fake.recorded.app.emit('open-file', opened, capture);
    expect(opened.preventDefault).toHaveBeenCalled();
    await host.ready();
    expect(sentToPage()).toEqual([]);
    pageLoaded();
    expect(sentToPage()).toEqual([['menu:open-capture', capture]]);
  });

  it('ignores a file macOS opens that is not a capture', async () => {
    const host = await loadHost();
    await host.ready();
    pageLoaded();
    fake.recorded.app.emit('open-file', { preventDefault: () => undefined }, join(dir, 'notes.md'));
    expect(sentToPage()).toEqual([]);
  });
});

describe('SIGNET_SQLITE_BINDING (the better-sqlite3 addon `npm start` builds for Electron)', () => {
  const statusFromPage = () => fake.recorded.ipc.get('signet:keystore.status')?.({ senderFrame: { url: RENDERER_URL, parent: null }, sender: fake.window().webContents }, {});

  it('is ignored by a packaged app: the keystore opens with the addon shipped beside it', async () => {
    process.env.SIGNET_SQLITE_BINDING = join(dir, 'elsewhere', 'better_sqlite3.node');
    const host = await loadHost({ isPackaged: true });
    await host.ready();
    expect(await statusFromPage()).toMatchObject({ ok: true, value: { initialized: false } });
  });

  it('is loaded when the app runs unpackaged (npm start)', async () => {
    process.env.SIGNET_SQLITE_BINDING = join(dir, 'elsewhere', 'better_sqlite3.node');
    const host = await loadHost({ isPackaged: false });
    await host.ready();
    await expect(statusFromPage()).rejects.toThrow(/elsewhere/);
  });
});
