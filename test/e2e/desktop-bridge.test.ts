import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { harText } from '../support/capture.ts';
import { chromiumMissing, dropFile, withConsole, type OpenedConsole } from '../support/browser.ts';

// The renderer's desktop paths (files by path, the application menu) without an Electron binary: a
// stand-in for the preload bridge, installed before the page loads, answers each contract method over
// the loopback server and records menu listeners so that the test can pick a menu item.

const missing = chromiumMissing();

interface SimulatedDesktop {
  menu: Record<string, (path: string) => void>;
  paths: Record<string, string>;
}

/** Runs in the page: the shape of `main/preload/index.ts`, with the contract answered over HTTP. */
function installBridge(): void {
  const token = /token=([\w-]+)/.exec((globalThis as unknown as { location: { hash: string } }).location.hash)?.[1] ?? '';
  const desktop: SimulatedDesktop = { menu: {}, paths: {} };
  const fixed: Record<string, unknown> = {
    host: 'electron',
    pathForFile: (file: File) => desktop.paths[file.name] ?? '',
    onMenu: (channel: string, listener: (path: string) => void) => {
      desktop.menu[channel] = listener;
    },
  };
  const bridge = new Proxy(fixed, {
    get: (target, name) =>
      typeof name !== 'string' || name in target
        ? target[name as string]
        : async (input: unknown) =>
            (await fetch(`/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Signet-Token': token }, body: JSON.stringify(input ?? {}) })).json(),
  });
  Object.assign(globalThis, { signet: bridge, simulatedDesktop: desktop });
}

const desktopOf = (page: Page) => ({
  pick: (channel: 'menu:open-capture' | 'menu:import-key', path: string) =>
    page.evaluate(([name, file]) => (globalThis as unknown as { simulatedDesktop: SimulatedDesktop }).simulatedDesktop.menu[name]?.(file), [channel, path] as const),
  knowPath: (fileName: string, path: string) =>
    page.evaluate(([name, file]) => void ((globalThis as unknown as { simulatedDesktop: SimulatedDesktop }).simulatedDesktop.paths[name] = file), [fileName, path] as const),
});

describe.skipIf(missing !== undefined)('desktop bridge (simulated in Chromium)', () => {
  const consoles = withConsole();

  /** The console as the desktop app shows it; `uploads` lists every browser-mode upload (there must be none). */
  async function desktopConsole(): Promise<OpenedConsole & { dir: string; uploads: string[] }> {
    const opened = await consoles.open({
      beforeLoad: async (context: BrowserContext) => {
        await context.addInitScript(installBridge);
      },
    });
    const uploads: string[] = [];
    opened.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/upload') uploads.push(request.url());
    });
    await opened.page.getByRole('navigation', { name: 'Views' }).waitFor();
    return { ...opened, dir: opened.running.store.dir, uploads };
  }

  const capture = (count: number): string => harText(Array.from({ length: count }, (_, index) => ({ url: `https://api.klix.test/v1/items/${index}` })));

  it('opens the capture chosen with File › Open capture…, by its path', async () => {
    const { page, dir, uploads } = await desktopConsole();
    const path = join(dir, 'from-menu.har');
    writeFileSync(path, capture(3));
    await desktopOf(page).pick('menu:open-capture', path);
    await page.getByRole('region', { name: 'Captures' }).waitFor();
    await page.getByTestId('import-status').getByText('Imported from-menu.har.').waitFor();
    await page.getByRole('grid', { name: 'Exchanges' }).getByText('/v1/items/2').waitFor();
    expect(uploads).toEqual([]);
  });

  it('imports every capture handed over at once (a multi-file open), one after the other', async () => {
    const { page, dir, session } = await desktopConsole();
    const paths = ['first.har', 'second.har'].map((name) => join(dir, name));
    for (const path of paths) writeFileSync(path, capture(2));
    for (const path of paths) await desktopOf(page).pick('menu:open-capture', path);
    await page.getByTestId('import-status').getByText('Imported second.har.').waitFor();
    await expect.poll(() => session.captures.list().map((stored) => stored.name).sort()).toEqual(['first.har', 'second.har']);
  });

  it('imports a dropped capture by its path, never sending its bytes', async () => {
    const { page, dir, uploads } = await desktopConsole();
    const text = capture(2);
    const path = join(dir, 'dropped.har');
    writeFileSync(path, text);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Captures' }).click();
    await desktopOf(page).knowPath('dropped.har', path);
    await dropFile(page, page.getByRole('region', { name: 'Captures' }), 'dropped.har', text);
    await page.getByRole('grid', { name: 'Exchanges' }).getByText('/v1/items/1').waitFor();
    expect(uploads).toEqual([]);
  });

  it('opens the import dialog on the key file chosen with File › Import key…, and imports it by path', async () => {
    const { page, dir, session } = await desktopConsole();
    const path = join(dir, 'partner.pem');
    writeFileSync(path, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Timeline' }).click();
    await desktopOf(page).pick('menu:import-key', path);
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByText('partner.pem').waitFor();
    await dialog.getByText('read from this computer').waitFor();
    await dialog.getByLabel('Name').fill('Partner from menu');
    const [request] = await Promise.all([page.waitForRequest('**/api/keys.import'), dialog.getByRole('button', { name: 'Import', exact: true }).click()]);
    expect(request.postDataJSON()).toMatchObject({ path, name: 'Partner from menu' });
    expect(request.postDataJSON()).not.toHaveProperty('contentBase64');
    await page.getByRole('row', { name: /Partner from menu/ }).waitFor();
    expect(session.keys.list({ search: 'Partner from menu' })).toHaveLength(1);
  });
});
