import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

// A stand-in for the `electron` module that records what the host registers, so main.ts can be loaded
// and exercised without an Electron binary. A test file makes one and hands its `module` to vi.mock.

type Listener = (...args: unknown[]) => unknown;

/** Listeners by event name, and a way to fire them as Electron would. */
class Emitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

export class FakeWebContents extends Emitter {
  readonly sent: [string, unknown][] = [];

  send(channel: string, value: unknown): void {
    this.sent.push([channel, value]);
  }
}

export class FakeWindow extends Emitter {
  readonly webContents = new FakeWebContents();
  minimized = false;
  restored = 0;
  focused = 0;

  constructor(readonly options: Record<string, unknown>) {
    super();
  }

  once(event: string, listener: Listener): void {
    this.on(event, listener);
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.restored += 1;
  }

  focus(): void {
    this.focused += 1;
  }
}

/** What the host registered with Electron during one load. */
function recording() {
  let ready: () => void = () => undefined;
  return {
    app: new Emitter(),
    ipc: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    loaded: [] as string[],
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    openExternal: [] as string[],
    privilegedSchemes: [] as unknown[],
    protocols: new Map<string, (request: Request) => Response | Promise<Response>>(),
    ready: new Promise<void>((resolve) => (ready = resolve)),
    becomeReady: () => ready(),
  };
}

export class FakeElectron {
  recorded = recording();
  isPackaged = false;
  readonly module = electronModule(this);

  /** Forgets what was recorded, for a fresh load of the host; the app is not ready yet. */
  reset(): void {
    this.recorded = recording();
  }

  /** Resolves `app.whenReady()`; the host's ready handler runs on the next tick. */
  becomeReady(): void {
    this.recorded.becomeReady();
  }

  window(): FakeWindow {
    const [first] = this.recorded.windows;
    if (!first) throw new Error('no window was created');
    return first;
  }
}

/** The `electron` module as the host uses it; every call reads or records the fake's current state. */
function electronModule(fake: FakeElectron) {
  return {
    app: {
      on: (event: string, listener: Listener) => fake.recorded.app.on(event, listener),
      get isPackaged() {
        return fake.isPackaged;
      },
      requestSingleInstanceLock: () => true,
      whenReady: () => fake.recorded.ready,
      quit: () => undefined,
      getPath: () => tmpdir(),
      getVersion: () => '0.0.0',
    },
    BrowserWindow: class extends FakeWindow {
      constructor(options: Record<string, unknown>) {
        super(options);
        fake.recorded.windows.push(this);
      }

      loadURL(url: string): Promise<void> {
        fake.recorded.loaded.push(url);
        return Promise.resolve();
      }
    },
    dialog: { showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }), showMessageBox: () => Promise.resolve() },
    ipcMain: { handle: (channel: string, listener: Listener) => fake.recorded.ipc.set(channel, listener) },
    Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (template: unknown) => template },
    // Electron's net.fetch reads file:// URLs; Node's fetch does not, so the file is read here.
    net: { fetch: async (url: string) => new Response(await readFile(fileURLToPath(url))) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => fake.recorded.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => fake.recorded.protocols.set(scheme, handler),
    },
    Notification: class {
      on(): void {}
      show(): void {}
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (fake.recorded.permissionRequest = handler),
        setPermissionCheckHandler: (handler: Listener) => (fake.recorded.permissionCheck = handler),
      },
    },
    shell: { openExternal: (url: string) => fake.recorded.openExternal.push(url) },
  };
}
