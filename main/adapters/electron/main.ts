import { app, BrowserWindow, dialog, ipcMain, Menu, net, Notification, protocol, session as electronSession, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dispatchResult } from '../../api/dispatch.ts';
import { METHOD_NAMES } from '../../api/names.ts';
import { registerOsNotifier, startNotificationTimer, type OsNotifier } from '../../services/notifications/index.ts';
import { Session } from '../../services/session.ts';
import { APP_SCHEME, RENDERER_URL, rendererFile } from './app-protocol.ts';
import { CAPTURE_EXTENSIONS, capturePathsIn, isCaptureFile } from './capture-files.ts';

/**
 * The Electron host is thin: one window, the preload bridge, the menu, and OS integrations. All work
 * goes through the same contract and dispatch as the CLI and browser mode.
 */
const rendererRoot = join(__dirname, '../renderer');
let mainWindow: BrowserWindow | undefined;
/** Whether the page has loaded, and so subscribed to the menu channels. */
let rendererLoaded = false;
/** Captures the OS handed over before the page could take them. */
const pendingCaptures: string[] = [];
let keystore: Session | undefined;
let notificationTimer: ReturnType<typeof startNotificationTimer> | undefined;

/** OS notifications for key reminders and status changes; a click brings the window forward. */
const osNotifier: OsNotifier = {
  show({ title, body }) {
    const notice = new Notification({ title, body });
    notice.on('click', () => mainWindow?.show());
    notice.show();
  },
};

function storePath(): string {
  return process.env.SIGNET_STORE ?? join(app.getPath('userData'), 'keystore.db');
}

function openKeystore(): Session {
  if (!keystore) {
    // `npm start` points at better-sqlite3 built for Electron's ABI. A packaged app ships its own and
    // ignores the variable: it would load any native code into the process holding the master key.
    const nativeBinding = app.isPackaged ? undefined : process.env.SIGNET_SQLITE_BINDING;
    keystore = Session.open(storePath(), { create: true, ...(nativeBinding && { nativeBinding }) });
    registerOsNotifier(keystore, osNotifier);
    // Failures stay queued with their error in the notification center; nothing to show here.
    notificationTimer = startNotificationTimer(keystore, { os: osNotifier, onError: () => undefined });
  }
  return keystore;
}

/** Only our own page may call the contract (not an iframe, not a page navigated elsewhere). */
function fromOwnFrame(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && frame.url.split('#')[0] === RENDERER_URL && event.sender === mainWindow?.webContents;
}

function registerContract(): void {
  for (const name of METHOD_NAMES) {
    ipcMain.handle(`signet:${name}`, async (event, input: unknown) => {
      if (!fromOwnFrame(event)) return { ok: false, error: { code: 'ERR_FORBIDDEN', message: 'not from the Signet window' } };
      const result = await dispatchResult(openKeystore(), name, input);
      // Reminders that fell due while the keystore was locked go out as soon as it opens.
      if (result.ok && (name === 'keystore.unlock' || name === 'keystore.init')) void notificationTimer?.runNow();
      return result;
    });
  }
}

function send(channel: 'menu:open-capture' | 'menu:import-key', path: string): void {
  mainWindow?.webContents.send(channel, path);
}

/** A capture from the OS (a double-clicked file, a command line) goes to the page as File › Open capture… sends it. */
function openCapture(path: string): void {
  if (mainWindow && rendererLoaded) send('menu:open-capture', path);
  else pendingCaptures.push(path);
}

/** The captures on a command line, past the executable (and the app's folder under `electron .`). */
function capturesOnCommandLine(argv: readonly string[], workingDirectory: string): string[] {
  return capturePathsIn(argv.slice(process.defaultApp ? 2 : 1), workingDirectory);
}

function buildMenu(): void {
  const open = async (title: string, filters: Electron.FileFilter[], channel: 'menu:open-capture' | 'menu:import-key') => {
    if (!mainWindow) return;
    const result = await dialog.showOpenDialog(mainWindow, { title, filters, properties: ['openFile'] });
    const path = result.filePaths[0];
    if (!result.canceled && path) send(channel, path);
  };
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open capture…', accelerator: 'CmdOrCtrl+O', click: () => open('Open capture', [{ name: 'Captures', extensions: CAPTURE_EXTENSIONS }], 'menu:open-capture') },
        { label: 'Import key…', accelerator: 'CmdOrCtrl+I', click: () => open('Import key', [{ name: 'Keys', extensions: ['pem', 'der', 'crt', 'cer', 'key', 'jwk', 'json', 'p12', 'pfx'] }], 'menu:import-key') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'togglefullscreen' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    { role: 'help', submenu: [{ label: 'About Signet', click: () => dialog.showMessageBox({ message: `Signet ${app.getVersion()}`, detail: 'Operator console for API message security.' }) }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Signet',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.webContents.on('did-finish-load', () => {
    rendererLoaded = true;
    for (const path of pendingCaptures.splice(0)) send('menu:open-capture', path);
  });
  mainWindow.on('closed', () => {
    mainWindow = undefined;
    rendererLoaded = false;
  });
  void mainWindow.loadURL(RENDERER_URL);
}

/** The built renderer's files and nothing else; anything else is a 404. */
function serveRenderer(request: Request): Promise<Response> | Response {
  const file = rendererFile(request.url, rendererRoot);
  if (!file || !existsSync(file)) return new Response('not found', { status: 404 });
  return net.fetch(pathToFileURL(file).href);
}

// Before the app is ready: the renderer's scheme is a standard, secure origin (ES modules, fetch, CSP 'self').
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// Electron security checklist: no navigation away, no new windows, no permissions, no remote content.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (url.split('#')[0] !== RENDERER_URL) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  for (const path of capturesOnCommandLine(process.argv, process.cwd())) openCapture(path);
  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const path of capturesOnCommandLine(argv, workingDirectory)) openCapture(path);
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  // macOS hands a double-clicked capture over by event, on a first launch before the app is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (isCaptureFile(path)) openCapture(path);
  });
  app.whenReady().then(() => {
    electronSession.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    electronSession.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(APP_SCHEME, serveRenderer);
    registerContract();
    buildMenu();
    createWindow();
  });
  app.on('window-all-closed', () => {
    notificationTimer?.stop();
    keystore?.close();
    app.quit();
  });
}
