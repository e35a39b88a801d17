import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/browser.ts';
import { tempStore, TEST_PASSPHRASE, type TempStore } from '../support/store.ts';

// The desktop host's smoke test: it needs the Electron binary (which cannot be downloaded on every
// machine), better-sqlite3 built for Electron's ABI (`npm start` builds it once), and a display.

const require = createRequire(import.meta.url);

interface Ready {
  electron: string;
  sqliteBinding: string;
}

function electronSetup(): Ready | { reason: string } {
  let electron: unknown;
  try {
    electron = require('electron');
  } catch {
    return { reason: 'the electron package is not installed, or its binary was not downloaded' };
  }
  if (typeof electron !== 'string' || !existsSync(electron)) return { reason: `the Electron binary is missing (${String(electron)})` };
  const version = (require('electron/package.json') as { version: string }).version;
  const sqliteBinding = join(ROOT, 'node_modules', '.signet-electron', `better-sqlite3-${version}`, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(sqliteBinding)) return { reason: `better-sqlite3 is not built for Electron ${version} yet (run "npm start" once)` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display (run the tests under xvfb-run)' };
  return { electron, sqliteBinding };
}

const setup = electronSetup();
const skipReason = 'reason' in setup ? setup.reason : undefined;
if (skipReason) console.log(`Electron smoke test skipped: ${skipReason}.`);

describe('Electron host', () => {
  let store: TempStore | undefined;

  afterAll(() => {
    if (store) rmSync(store.dir, { recursive: true, force: true });
  });

  it.skipIf(skipReason !== undefined)('opens the window, answers through the preload bridge and renders the keys view', async () => {
    if ('reason' in setup) return;
    const built = spawnSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    // A keystore made here with the cheap test KDF, closed so that the app opens it locked.
    store = await tempStore();
    store.session.close();

    const app = await _electron.launch({
      executablePath: setup.electron,
      args: [ROOT],
      env: { ...process.env, SIGNET_STORE: store.path, SIGNET_SQLITE_BINDING: setup.sqliteBinding },
    });
    try {
      const window = await app.firstWindow();
      expect(window.url()).toMatch(/^signet:\/\/app\/index\.html(#|$)/);
      const status = await window.evaluate(() => {
        const bridge = (globalThis as unknown as { signet: Record<string, (input: unknown) => Promise<unknown>> }).signet;
        return bridge['keystore.status']?.({});
      });
      expect(status).toMatchObject({ ok: true, value: { initialized: true, unlocked: false } });

      await window.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
      await window.getByRole('button', { name: 'Unlock' }).click();
      await window.getByRole('navigation', { name: 'Views' }).waitFor();
      await window.getByText('No keys yet.').waitFor();
    } finally {
      await app.close();
    }
  });
});
