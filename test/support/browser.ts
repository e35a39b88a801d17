import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../main/adapters/http/server.ts';
import type { JobRegistry } from '../../main/services/jobs.ts';
import { Session } from '../../main/services/session.ts';
import { tempStore, type TempStore } from './store.ts';

/**
 * End-to-end harness: the built renderer served by the real browser-mode server over a temporary
 * keystore, driven in Debian's Chromium. One browser per test file, one store + server + context per
 * test, everything closed by the test file's hooks.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RENDERER_SOURCES = join(ROOT, 'renderer');
const BUILT_RENDERER = join(ROOT, 'out', 'renderer');
const RENDERER_CACHE = join(ROOT, 'out', 'e2e-renderer');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM_PATH = process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Why Chromium cannot be launched here, or undefined when it can; says nothing itself (the benchmark logs it its own way). */
export function chromiumUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set SIGNET_CHROMIUM)`;
}

/** Why the browser tests cannot run here, or undefined when they can. Where CI runs they must. */
export function chromiumMissing(): string | undefined {
  const reason = chromiumUnavailable();
  if (reason === undefined) return undefined;
  if (process.env.CI) throw new Error(`end-to-end tests need a browser: ${reason}`);
  console.log(`end-to-end tests skipped: ${reason}`);
  return reason;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : [path];
  });
}

/**
 * The built renderer, fresh for the current sources. `out/renderer` is used when it is newer than
 * every source file; otherwise the renderer is built once into a folder named by the sources' hash,
 * so parallel test files neither rebuild nor overwrite a build another one is serving.
 */
export async function ensureRenderer(): Promise<string> {
  const files = sourceFiles(RENDERER_SOURCES);
  const builtIndex = join(BUILT_RENDERER, 'index.html');
  const newestSource = Math.max(...files.map((file) => statSync(file).mtimeMs));
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource) return BUILT_RENDERER;

  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(relative(RENDERER_SOURCES, file)).update('\0').update(readFileSync(file)).update('\0');
  const target = join(RENDERER_CACHE, hash.digest('hex').slice(0, 16));
  if (existsSync(join(target, 'index.html'))) return target;

  const staging = `${target}.building-${process.pid}`;
  const [{ build }, { svelte }] = await Promise.all([import('vite'), import('@sveltejs/vite-plugin-svelte')]);
  // vitest sets NODE_ENV=test, which would make Svelte compile in dev mode: test what ships instead.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: false,
      root: RENDERER_SOURCES,
      base: './',
      mode: 'production',
      logLevel: 'error',
      plugins: [svelte()],
      build: { outDir: staging, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  mkdirSync(RENDERER_CACHE, { recursive: true });
  // Builds of earlier sources are of no further use (another test file may be using this very hash).
  for (const old of readdirSync(RENDERER_CACHE)) {
    if (!old.startsWith(basename(target))) rmSync(join(RENDERER_CACHE, old), { recursive: true, force: true });
  }
  try {
    renameSync(staging, target);
  } catch {
    // Another test file finished the same build first: use theirs.
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface ConsoleUnderTest {
  store: TempStore;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * A keystore and the browser-mode server in front of it. `state` picks what the console meets:
 * a file with no passphrase yet, a locked keystore, or (default) an unlocked one.
 */
export async function startConsole(rendererDir: string, state: 'new' | 'locked' | 'unlocked' = 'unlocked'): Promise<ConsoleUnderTest> {
  const store = state === 'new' ? newStore() : await tempStore();
  if (state === 'locked') store.session.lock();
  const server = await startServer({ session: store.session, rendererDir });
  return {
    store,
    server,
    async close() {
      await server.close();
      store.cleanup();
    },
  };
}

function newStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  const path = join(dir, 'keystore.db');
  const session = Session.open(path, { create: true });
  return {
    dir,
    path,
    session,
    cleanup() {
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors (CSP violations among them) seen by the page. */
  pageErrors: string[];
}

/**
 * A fresh browser context (own storage, clipboard allowed) with the console opened through its token link.
 * `beforeLoad` runs before the page's first script (to install a simulated desktop bridge, say).
 */
export async function openConsole(
  browser: Browser,
  server: RunningServer,
  options: { fakeClock?: boolean; beforeLoad?: (context: BrowserContext) => Promise<void> } = {},
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light', acceptDownloads: true });
  await options.beforeLoad?.(context);
  // Timers the test moves by hand (auto-lock): time is fast-forwarded, never slept on.
  if (options.fakeClock) await context.clock.install();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(server.openUrl);
  return { context, page, pageErrors };
}

/** A console `withConsole` opened for the running test: its page, and the server and keystore behind it. */
export interface OpenedConsole extends OpenPage {
  running: ConsoleUnderTest;
  session: Session;
}

export interface ConsoleFixture {
  /**
   * Starts the server over a new unlocked keystore, runs `prepare` on its session (keys made through
   * the contract, say), then opens the console in a fresh context. Both are closed after the test.
   */
  open(options?: { prepare?: (session: Session) => void | Promise<void> } & NonNullable<Parameters<typeof openConsole>[2]>): Promise<OpenedConsole>;
}

/**
 * Registers a browser test file's hooks in the calling `describe`: the renderer built and Chromium
 * launched once for the file, and whatever `open` started closed after each test.
 */
export function withConsole(): ConsoleFixture {
  let browser: Browser | undefined;
  let rendererDir = '';
  let running: ConsoleUnderTest | undefined;
  let opened: OpenPage | undefined;

  beforeAll(async () => {
    rendererDir = await ensureRenderer();
    browser = await launchChromium();
  });
  afterEach(async () => {
    await opened?.context.close();
    await running?.close();
    opened = running = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    async open({ prepare, ...options } = {}) {
      if (!browser) throw new Error('withConsole: open() is for tests, once the file has started');
      running = await startConsole(rendererDir);
      await prepare?.(running.store.session);
      opened = await openConsole(browser, running.server, options);
      return { ...opened, running, session: running.store.session };
    },
  };
}

/** Saves `<view>-light.png` and `<view>-dark.png`, leaving the page in the light scheme. */
export async function screenshotBothThemes(page: Page, view: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${view}-${colorScheme}.png`) });
  }
}

/**
 * Holds every job the session starts from now on at its first step, until `release()` (or until the
 * job is cancelled, which then runs it with its signal aborted: the real cancel path). The console's
 * progress and Cancel can then be tested without racing the work.
 */
export function holdJobs(session: Session): { release(): void } {
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const start = session.jobs.start.bind(session.jobs);
  const held: JobRegistry['start'] = (kind, label, run, clock) =>
    start(
      kind,
      label,
      async (context) => {
        await Promise.race([gate, new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }))]);
        return run(context);
      },
      clock,
    );
  session.jobs.start = held;
  return { release: () => release() };
}

/** Drops a file made of `content` onto `target`, as a user dragging it from the file manager would. */
export async function dropFile(page: Page, target: Locator, name: string, content: string, type = 'application/json'): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([fileName, text, mimeType]) => {
      const dom = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
      const data = new dom.DataTransfer();
      data.items.add(new File([text], fileName, { type: mimeType }));
      return data;
    },
    [name, content, type] as const,
  );
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}
