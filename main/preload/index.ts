import { contextBridge, ipcRenderer } from 'electron';
import { METHOD_NAMES } from '../api/names.ts';

// The bridge exposes the contract and nothing else: one function per method, each on its own channel
// (never a generic invoke(anyChannel, …) that would hand the page every IPC channel of the app).
const signet = Object.fromEntries(METHOD_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(`signet:${name}`, input)]));

contextBridge.exposeInMainWorld('signet', Object.freeze({ ...signet, host: 'electron' }));
