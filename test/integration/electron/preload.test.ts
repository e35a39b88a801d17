import { beforeAll, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES } from '../../../main/api/names.ts';

// The preload bridge (checklist: do not expose Electron APIs to web content): what the page gets is
// one function per contract method, its own channel each, and two narrow helpers.

const recorded = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as string[],
  subscribed: [] as string[],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => recorded.exposed.set(name, api) },
  ipcRenderer: {
    invoke: (channel: string) => {
      recorded.invoked.push(channel);
      return Promise.resolve({ ok: true, value: null });
    },
    on: (channel: string) => recorded.subscribed.push(channel),
  },
  webUtils: { getPathForFile: () => '/picked/file.har' },
}));

let api: Record<string, unknown>;

beforeAll(async () => {
  await import('../../../main/preload/index.ts');
  api = recorded.exposed.get('signet') as Record<string, unknown>;
});

describe('the preload bridge', () => {
  it('exposes one object, named signet, and nothing else', () => {
    expect([...recorded.exposed.keys()]).toEqual(['signet']);
  });

  it('holds the contract methods and two helpers: no ipcRenderer, no generic invoke', () => {
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'host', 'pathForFile', 'onMenu'].sort());
    expect(Object.values(api).some((value) => value === undefined)).toBe(false);
  });

  it('is frozen, so the page cannot swap a method for its own', () => {
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('calls each method on its own channel', async () => {
    await (api['keys.list'] as (input: unknown) => Promise<unknown>)({});
    expect(recorded.invoked).toEqual(['signet:keys.list']);
  });

  it('subscribes only to the two menu channels', () => {
    const onMenu = api.onMenu as (channel: string, listener: () => void) => void;
    onMenu('menu:open-capture', () => undefined);
    onMenu('signet:keystore.unlock', () => undefined);
    onMenu('ELECTRON_BROWSER_WINDOW_ALERT', () => undefined);
    expect(recorded.subscribed).toEqual(['menu:open-capture']);
  });
});
