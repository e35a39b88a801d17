import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES } from '../../../main/api/names.ts';

// The Electron host's security settings, checked without an Electron binary: `electron` is replaced by
// a recorder (fake-electron.ts), main.ts is loaded as the app would load it, and what it registered is exercised.

type Listener = (...args: unknown[]) => unknown;

const fake = await vi.hoisted(async () => new (await import('./fake-electron.ts')).FakeElectron());
vi.mock('electron', () => fake.module);
const { recorded } = fake;

let dir: string;
let storePath: string;
let rendererUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-electron-'));
  storePath = join(dir, 'keystore.db');
  process.env.SIGNET_STORE = storePath;
  await import('../../../main/adapters/electron/main.ts');
  fake.becomeReady();
  // app.whenReady().then(…) registers the handlers and opens the window on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  rendererUrl = 'signet://app/index.html';
});
afterAll(() => {
  recorded.app.emit('window-all-closed');
  delete process.env.SIGNET_STORE;
  rmSync(dir, { recursive: true, force: true });
});

const window = () => fake.window();

describe('the window (checklist: isolation, sandbox, no Node, web security)', () => {
  it('opens one window with context isolation, the sandbox, and no Node integration', () => {
    expect(recorded.windows).toHaveLength(1);
    expect(window().options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false });
  });

  it('turns on nothing risky: no experimental features, Blink features, webview tag or Node in workers', () => {
    const preferences = window().options.webPreferences as Record<string, unknown>;
    for (const risky of ['experimentalFeatures', 'enableBlinkFeatures', 'webviewTag', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames']) expect(preferences[risky]).toBeUndefined();
  });

  it('loads its preload from the packaged CommonJS bundle', () => {
    expect(String((window().options.webPreferences as Record<string, unknown>).preload)).toMatch(/preload[/\\]index\.cjs$/);
  });
});

describe('the origin of the renderer (checklist: a custom protocol, not file://)', () => {
  // The handler serves from out/renderer beside out/main; here, main.ts runs from its sources, so
  // that folder is main/adapters/renderer: one file is put there for the test.
  const root = join(import.meta.dirname, '../../../main/adapters/renderer');
  const serve = (url: string) => {
    const handler = recorded.protocols.get('signet');
    if (!handler) throw new Error('no handler for signet://');
    return handler(new Request(url));
  };
  beforeAll(() => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Signet</title>');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads the window from signet://app, a standard and secure scheme of its own', () => {
    expect(recorded.loaded).toEqual(['signet://app/index.html']);
    expect(recorded.privilegedSchemes).toEqual([{ scheme: 'signet', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serves the built renderer', async () => {
    const response = await serve('signet://app/index.html');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Signet</title>');
  });

  it.each([
    'signet://app/../../../package.json',
    'signet://app/%2e%2e/%2e%2e/%2e%2e/package.json',
    'signet://app/assets/..%2F..%2F..%2Fpackage.json',
    'signet://app/%2e%2e%5c%2e%2e%5cpackage.json',
    'signet://app/assets/',
    'signet://app/missing.js',
    'signet://app/index.html%00.js',
    'signet://other/index.html',
    'signet://app/%E0%A4%A',
  ])('answers 404 to %s', async (url) => {
    expect((await serve(url)).status).toBe(404);
  });
});

describe('permissions (checklist: handle permission requests)', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'pointerLock', 'midiSysex', 'display-capture'])(
    'denies a %s request',
    (permission) => {
      const callback = vi.fn();
      recorded.permissionRequest?.({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
    },
  );

  it('answers every permission check with false', () => {
    expect(recorded.permissionCheck?.({}, 'media', 'file://', {})).toBe(false);
  });
});

describe('navigation and new windows (checklist: limit navigation and window creation)', () => {
  function contents() {
    const listeners = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    const webContents = {
      on: (event: string, listener: Listener) => listeners.set(event, listener),
      setWindowOpenHandler: (handler: Listener) => (openHandler = handler),
    };
    recorded.app.emit('web-contents-created', {}, webContents);
    return { listeners, open: (url: string) => openHandler?.({ url }) };
  }

  it.each(['https://attacker.example/', 'file:///etc/passwd', 'http://127.0.0.1:8080/', 'javascript:alert(1)'])('refuses to navigate to %s', (url) => {
    const event = { preventDefault: vi.fn() };
    contents().listeners.get('will-navigate')?.(event, url);
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('allows its own page (a fragment change)', () => {
    const event = { preventDefault: vi.fn() };
    contents().listeners.get('will-navigate')?.(event, `${rendererUrl}#/keys`);
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses every <webview>', () => {
    const event = { preventDefault: vi.fn() };
    contents().listeners.get('will-attach-webview')?.(event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('denies every new window, handing only https links to the browser', () => {
    const { open } = contents();
    for (const url of ['https://docs.example/signet', 'http://plain.example/', 'file:///etc/passwd', 'smb://share/x', 'javascript:alert(1)']) expect(open(url)).toEqual({ action: 'deny' });
    expect(recorded.openExternal).toEqual(['https://docs.example/signet']);
  });
});

describe('IPC (checklist: validate the sender of every message)', () => {
  it('registers one channel per contract method and nothing else', () => {
    expect([...recorded.ipc.keys()].sort()).toEqual(METHOD_NAMES.map((name) => `signet:${name}`).sort());
  });

  const call = (frame: { url: string; parent: unknown } | null, sender: object) => recorded.ipc.get('signet:keystore.status')?.({ senderFrame: frame, sender }, {});

  it.each([
    ['an iframe of the window', () => call({ url: rendererUrl, parent: {} }, window().webContents)],
    ['a page navigated elsewhere', () => call({ url: 'https://attacker.example/', parent: null }, window().webContents)],
    ['another web contents', () => call({ url: rendererUrl, parent: null }, {})],
    ['a destroyed frame', () => call(null, window().webContents)],
  ])('refuses a call from %s, before the keystore is even opened', async (_name, send) => {
    expect(await send()).toEqual({ ok: false, error: { code: 'ERR_FORBIDDEN', message: 'not from the Signet window' } });
    expect(existsSync(storePath)).toBe(false);
  });

  it('answers its own page through the one dispatch', async () => {
    expect(await call({ url: `${rendererUrl}#/keys`, parent: null }, window().webContents)).toMatchObject({ ok: true, value: { initialized: false } });
  });
});
