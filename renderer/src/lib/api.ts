import type { Input, MethodName, Output } from '../../../main/api/contract.ts';
import type { ErrorBody } from '../../../main/core/errors.ts';

/**
 * The typed client of the contract. The transport is chosen once: the Electron preload bridge when
 * present, otherwise HTTP to the loopback server of browser mode with its token.
 */
export class ApiError extends Error {
  readonly code: string;

  constructor(body: ErrorBody | { code: string; message: string }) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
  }
}

type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
export type MenuChannel = 'menu:open-capture' | 'menu:import-key';

/** What the Electron preload exposes (`main/preload/index.ts`): one function per method, plus file paths and menu events. */
type Bridge = { [M in MethodName]?: (input: unknown) => Promise<Envelope> } & {
  host: 'electron';
  pathForFile(file: File): string;
  onMenu(channel: MenuChannel, listener: (path: string) => void): void;
};

declare global {
  interface Window {
    signet?: Bridge;
  }
}

const TOKEN_KEY = 'signet.token';

/** Browser mode: the token arrives once in the URL fragment; keep it for the tab, then clear the bar. */
function takeToken(): string {
  const match = /(?:^|[#&])token=([\w-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

const token = window.signet ? '' : takeToken();

function httpTransport(): (name: string, input: unknown) => Promise<Envelope> {
  return async (name, input) => {
    let response: Response;
    try {
      response = await fetch(`/api/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Signet-Token': token },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      return { ok: false, error: { code: 'ERR_OFFLINE', message: 'the Signet server is not answering (was it stopped?)' } };
    }
    try {
      return (await response.json()) as Envelope;
    } catch {
      return { ok: false, error: { code: 'ERR_INTERNAL', message: `unexpected answer from the server (HTTP ${response.status})` } };
    }
  };
}

const transport: (name: MethodName, input: unknown) => Promise<Envelope> = window.signet
  ? (name, input) => {
      const method = window.signet?.[name];
      return method ? method(input) : Promise.resolve({ ok: false, error: { code: 'ERR_UNKNOWN_METHOD', message: `no method ${name}` } });
    }
  : httpTransport();

export const host: 'electron' | 'browser' = window.signet ? 'electron' : 'browser';

const lockedListeners = new Set<() => void>();

/**
 * Runs `listener` whenever the service answers that the keystore is locked or not set up: another tab,
 * the idle timer or another process locked it, and whatever the console was doing must give way to
 * the lock screen, from any call (or job) at all.
 */
export function onLockedAnswer(listener: () => void): void {
  lockedListeners.add(listener);
}

/** Tells the listeners when a failure means the keystore is locked (calls do it themselves; jobs report it here). */
export function noticeFailure(error: { code: string } | undefined): void {
  if (error?.code === 'ERR_LOCKED' || error?.code === 'ERR_STORE_NOT_INITIALIZED') for (const listener of lockedListeners) listener();
}

export async function call<M extends MethodName>(name: M, input: Input<M>): Promise<Output<M>> {
  const envelope = await transport(name, input);
  if (!envelope.ok) {
    noticeFailure(envelope.error);
    throw new ApiError(envelope.error);
  }
  return envelope.value as Output<M>;
}

/** The text to show where the user acted: the service's own message, never a stack or a raw exception. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : 'something went wrong in the console (nothing was changed)';
}

/**
 * For a load an `$effect` starts: its answer, or the message of its failure, is handed on only while
 * that effect is current (a newer load, for another row or page, makes it irrelevant). Returns the
 * effect's teardown.
 */
export function whileCurrent<T>(load: Promise<T>, onanswer: (value: T) => void, onerror: (message: string) => void): () => void {
  let current = true;
  load.then(
    (value) => {
      if (current) onanswer(value);
    },
    (caught: unknown) => {
      if (current) onerror(messageOf(caught));
    },
  );
  return () => {
    current = false;
  };
}

/** The Electron bridge, when the console runs inside the desktop app (file paths, menu events). */
export const bridge: Bridge | undefined = window.signet;

export interface UploadProgress {
  sent: number;
  total: number;
}

/**
 * Browser mode: streams a file to the loopback server (`PUT /upload`), which keeps it in a private
 * temporary file and answers an id to import it by. XHR rather than fetch: only XHR reports upload
 * progress. Aborting the signal stops the transfer (the server discards the partial file).
 */
export function upload(file: File, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal): Promise<{ uploadId: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', '/upload');
    request.setRequestHeader('X-Signet-Token', token);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.responseType = 'json';
    request.upload.onprogress = (event) => onProgress({ sent: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.onload = () => {
      const envelope = request.response as Envelope | null;
      if (envelope?.ok) resolve(envelope.value as { uploadId: string; bytes: number });
      else reject(new ApiError(envelope?.ok === false ? envelope.error : { code: 'ERR_INTERNAL', message: `the upload was refused (HTTP ${request.status})` }));
    };
    request.onerror = () => reject(new ApiError({ code: 'ERR_OFFLINE', message: 'the upload did not reach the Signet server (was it stopped?)' }));
    request.onabort = () => reject(new ApiError({ code: 'ERR_CANCELLED', message: 'the upload was cancelled' }));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    if (signal?.aborted) request.abort();
    else request.send(file);
  });
}
