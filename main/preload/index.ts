import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { METHOD_NAMES } from '../api/names.ts';

// The bridge exposes the contract and nothing else: one function per method, each on its own channel
// (never a generic invoke(anyChannel, …) that would hand the page every IPC channel of the app).
const signet = Object.fromEntries(METHOD_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(`signet:${name}`, input)]));

contextBridge.exposeInMainWorld(
  'signet',
  Object.freeze({
    ...signet,
    host: 'electron',
    // A dropped or picked file is imported by path (large captures never cross IPC); since Electron 32
    // the page cannot see paths itself.
    pathForFile: (file: File) => webUtils.getPathForFile(file),
    /** Subscribes to File › Open capture… / Import key…; returns the unsubscribe. */
    onMenu: (channel: 'menu:open-capture' | 'menu:import-key', listener: (path: string) => void): (() => void) => {
      if (channel !== 'menu:open-capture' && channel !== 'menu:import-key') return () => undefined;
      const forward = (_event: unknown, path: unknown) => {
        if (typeof path === 'string') listener(path);
      };
      ipcRenderer.on(channel, forward);
      return () => ipcRenderer.off(channel, forward);
    },
  }),
);
