import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../main/services/settings.ts';
import { chromiumMissing, ensureRenderer, holdJobs, launchChromium, openConsole, screenshotBothThemes, startConsole, type ConsoleUnderTest } from '../support/browser.ts';
import { harText } from '../support/capture.ts';
import { TEST_PASSPHRASE } from '../support/store.ts';

const missing = chromiumMissing();

describe.skipIf(missing !== undefined)('lock screen', () => {
  let browser: Browser;
  let rendererDir: string;
  let running: ConsoleUnderTest | undefined;

  beforeAll(async () => {
    rendererDir = await ensureRenderer();
    browser = await launchChromium();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('creates a new keystore under a passphrase typed twice and opens the console', async () => {
    running = await startConsole(rendererDir, 'new');
    const { page, context, pageErrors } = await openConsole(browser, running.server);
    await page.getByRole('heading', { name: 'Create the keystore' }).waitFor();
    await page.getByLabel('New passphrase').fill('a long enough passphrase');
    await page.getByLabel('Repeat the passphrase').fill('a long enough passphrase');
    await screenshotBothThemes(page, 'create-keystore');

    await page.getByRole('button', { name: 'Create keystore' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByText('No keys yet.').waitFor();
    expect(running.store.session.initialized).toBe(true);
    expect(running.store.session.unlocked).toBe(true);
    await screenshotBothThemes(page, 'keys-empty');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('refuses two different passphrases before asking the service', async () => {
    running = await startConsole(rendererDir, 'new');
    const { page, context } = await openConsole(browser, running.server);
    await page.getByLabel('New passphrase').fill('first passphrase');
    await page.getByLabel('Repeat the passphrase').fill('second passphrase');
    await page.getByLabel('Repeat the passphrase').press('Enter');
    await page.getByRole('alert').getByText('The two passphrases differ.').waitFor();
    expect(running.store.session.initialized).toBe(false);
    await context.close();
  });

  it('shows the service error inline when the passphrase is wrong, then unlocks with the right one', async () => {
    running = await startConsole(rendererDir, 'locked');
    const { page, context, pageErrors } = await openConsole(browser, running.server);
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await page.getByLabel('Passphrase').fill('not the passphrase');
    await page.getByLabel('Passphrase').press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/passphrase/i);
    expect(running.store.session.unlocked).toBe(false);
    await screenshotBothThemes(page, 'unlock-error');

    await page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(running.store.session.unlocked).toBe(true);
    // The failed attempt answers 4xx: the browser logs that request, nothing else may be logged.
    expect(pageErrors.filter((text) => !text.includes('status of 4'))).toEqual([]);
    await context.close();
  });

  it('locks itself after the idle time chosen in settings', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const { page, context } = await openConsole(browser, running.server, { fakeClock: true });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Lock the keystore').selectOption('1');
    await page.getByRole('status').getByText('Saved.').waitFor();
    expect(readSettings(running.store.session).console.autoLockMinutes).toBe(1);
    await page.clock.fastForward('00:50');
    expect(running.store.session.unlocked).toBe(true);
    await page.clock.fastForward('00:20');
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    expect(running.store.session.unlocked).toBe(false);
    await context.close();
  });

  it('does not lock itself while an import the user started is running, and locks once it is done', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const { page, context } = await openConsole(browser, running.server, { fakeClock: true });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Lock the keystore').selectOption('1');
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Captures' }).click();
    const held = holdJobs(running.store.session);
    await page.getByLabel('Capture file to open').setInputFiles({ name: 'long.har', mimeType: 'application/json', buffer: Buffer.from(harText([{ url: 'https://api.klix.test/a' }])) });
    const status = page.getByTestId('import-status');
    await status.getByText('Inspecting').waitFor();
    // Time is moved in the steps the idle check runs at (5 s), so that it runs at every one of them.
    const pass = async (seconds: number) => {
      for (let passed = 0; passed < seconds; passed += 5) await page.clock.fastForward('00:05');
    };
    // Locking would cancel the import (a gigabyte takes minutes): the idle time does not run meanwhile.
    await pass(70);
    expect(running.store.session.unlocked).toBe(true);
    held.release();
    await page.clock.fastForward('00:01');
    await status.getByText('Imported long.har.').waitFor();
    // The import's work ends once the capture it made is open (the list is read again first).
    await page.getByRole('grid', { name: 'Exchanges' }).waitFor();
    await pass(70);
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await context.close();
  });

  it('says an import stopped by locking the keystore was not cancelled by the user', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const { page, context } = await openConsole(browser, running.server);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Captures' }).click();
    holdJobs(running.store.session);
    await page.getByLabel('Capture file to open').setInputFiles({ name: 'stopped.har', mimeType: 'application/json', buffer: Buffer.from(harText([{ url: 'https://api.klix.test/a' }])) });
    const status = page.getByTestId('import-status');
    await status.getByText('Inspecting').waitFor();
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByTestId('import-status').getByText('the keystore was locked while this capture was being imported: nothing was stored; import it again').waitFor();
    expect(running.store.session.captures.list()).toEqual([]);
    await context.close();
  });

  it('shows the lock screen in another window within a minute, saying it was locked elsewhere', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const other = await openConsole(browser, running.server, { fakeClock: true });
    await other.page.getByRole('navigation', { name: 'Views' }).waitFor();
    const { page, context } = await openConsole(browser, running.server);
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await other.page.clock.fastForward('01:01');
    await other.page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await other.page.getByRole('status').getByText('The keystore was locked elsewhere (another window, or its host). Unlock it to go on.').waitFor();
    await screenshotBothThemes(other.page, 'unlock-locked-elsewhere');
    await context.close();
    await other.context.close();
  });

  it('says a change asked for in a window that did not know of the lock was not made', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const { page, context } = await openConsole(browser, running.server);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Lock the keystore').waitFor();
    running.store.session.lock();
    await page.getByLabel('Lock the keystore').selectOption('1');
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await page.getByRole('status').getByText('The keystore was locked elsewhere (another window, or its host): the change you asked for was not made. Unlock it to go on.').waitFor();
    await context.close();
  });

  it('locks the keystore from the top bar', async () => {
    running = await startConsole(rendererDir, 'unlocked');
    const { page, context } = await openConsole(browser, running.server);
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    expect(running.store.session.unlocked).toBe(false);
    await context.close();
  });
});
