import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/api/dispatch.ts';
import { readSettings } from '../../main/services/settings.ts';
import type { Session } from '../../main/services/session.ts';
import { chromiumMissing, screenshotBothThemes, withConsole, type OpenedConsole } from '../support/browser.ts';
import { TEST_PASSPHRASE } from '../support/store.ts';

const missing = chromiumMissing();
const DAY_MS = 86_400_000;
const daysFromNow = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString();

/** A keystore with one key in every state the views draw differently. */
async function seedKeys(session: Session): Promise<void> {
  await dispatch(session, 'keys.generate', { type: 'rsa', bits: 2048, name: 'KLIX merchant 2026', owner: 'acme', environment: 'production', certificate: { subject: 'CN=acme merchant' } });
  await dispatch(session, 'keys.generate', { type: 'ec', curve: 'P-256', name: 'Callback signer', owner: 'klix', expires: '12d' });
  await dispatch(session, 'keys.generate', { type: 'ed25519', name: 'Legacy signer', owner: 'acme', notBefore: daysFromNow(-700), expires: daysFromNow(-20) });
  await dispatch(session, 'keys.generate', { type: 'hmac', appId: 'OPG-APP-1', name: 'OnePoint sandbox', owner: 'onepoint', environment: 'sandbox', expires: '200d' });
  await dispatch(session, 'keys.generate', { type: 'x25519', name: 'Key agreement', owner: 'ocen', pending: true, expires: '1y' });
  const compromised = await dispatch(session, 'keys.generate', { type: 'rsa', bits: 2048, name: 'Compromised merchant key', owner: 'acme', notBefore: daysFromNow(-300), expires: daysFromNow(400) });
  await dispatch(session, 'keys.revoke', { ref: compromised.id, reason: 'key compromise', at: daysFromNow(-40) });
}

describe.skipIf(missing !== undefined)('timeline, audit log and settings', () => {
  const consoles = withConsole();

  async function seededConsole(): Promise<OpenedConsole> {
    const opened = await consoles.open({ prepare: seedKeys });
    await opened.page.getByRole('row', { name: /KLIX merchant 2026/ }).waitFor();
    return opened;
  }

  it('lists every state with its own chip', async () => {
    const { page, pageErrors } = await seededConsole();
    for (const chip of ['Active', 'Expiring soon', 'Expired', 'Pending', 'Revoked']) {
      await page.getByRole('grid', { name: 'Keys' }).getByText(chip, { exact: true }).first().waitFor();
    }
    await screenshotBothThemes(page, 'keys');
    expect(pageErrors).toEqual([]);
  });

  it('draws a bar for every key and marks today on the timeline', async () => {
    const { page, pageErrors } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Timeline' }).click();
    const chart = page.getByRole('group', { name: 'Validity of each key' });
    await chart.waitFor();
    expect(await chart.locator('g[data-key-id]').count()).toBe(6);
    expect(await page.getByTestId('today-marker').count()).toBe(1);
    expect(await chart.getByText('revoked', { exact: true }).count()).toBe(1);
    expect(await chart.getByText('expired', { exact: true }).count()).toBe(1);

    await chart.getByRole('button', { name: /^Callback signer: expiring soon/ }).focus();
    await page.getByRole('tooltip').getByText('Callback signer').waitFor();
    await screenshotBothThemes(page, 'timeline');
    await page.getByRole('radio', { name: 'Month' }).click();
    await screenshotBothThemes(page, 'timeline-month');
    expect(pageErrors).toEqual([]);
  });

  it('opens the key detail when a timeline bar is chosen', async () => {
    const { page } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Timeline' }).click();
    await page.getByRole('button', { name: /^Compromised merchant key: revoked/ }).press('Enter');
    const detail = page.getByRole('complementary', { name: 'Key detail' });
    await detail.getByRole('heading', { name: 'Compromised merchant key' }).waitFor();
    await detail.getByText(/key compromise/).first().waitFor();
  });

  it('shows the audit log newest first with the chain intact', async () => {
    const { page, pageErrors, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Audit log' }).click();
    const banner = page.getByTestId('chain-status');
    await banner.getByText('Audit chain intact.').waitFor();
    const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain('Key revoked');
    expect(await rows.count()).toBe(session.audit.list({}).length);
    await screenshotBothThemes(page, 'audit');
    expect(pageErrors).toEqual([]);
  });

  it('filters the audit log by key', async () => {
    const { page, session } = await seededConsole();
    const compromised = session.keys.list({ search: 'Compromised' })[0];
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Audit log' }).click();
    await page.getByLabel('Key', { exact: true }).selectOption(compromised?.id ?? 'missing');
    const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    // The unfiltered log also has a "Key created" second row: wait for the filter itself to land.
    await expect.poll(() => rows.count()).toBe(2);
    await rows.nth(1).getByText('Key created').waitFor();
  });

  it('lists the notices a scheduler run records and clears the unread count', async () => {
    const { page, pageErrors } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Notifications' }).click();
    await page.getByRole('button', { name: 'Check now' }).click();
    const list = page.getByRole('list', { name: 'Notifications' });
    await list.getByText(/Compromised merchant key/).first().waitFor();
    const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    await bell.waitFor();
    await screenshotBothThemes(page, 'notifications');

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await bell.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Notifications', exact: true }).first().waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('changes a policy in settings', async () => {
    const { page, pageErrors, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const expiringSoon = page.getByLabel('Expiring soon');
    await expect.poll(() => expiringSoon.inputValue()).toBe('30');
    await expiringSoon.fill('60');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    expect(readSettings(session).policy.expiringSoonDays).toBe(60);
    await screenshotBothThemes(page, 'settings');
    expect(pageErrors).toEqual([]);
  });

  it('backs the keystore up to a file and restores it, then asks for its passphrase', async () => {
    const { page, pageErrors, session } = await seededConsole();
    const file = join(dirname(session.path), 'console-backup.sgb');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const backup = page.getByRole('form', { name: 'Back up the keystore' });
    await backup.getByLabel('Write a backup to').fill(file);
    await backup.getByRole('button', { name: 'Back up' }).click();
    await page.getByRole('alert').getByText(/sealed under it/).waitFor();
    await backup.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
    await backup.getByRole('button', { name: 'Back up' }).click();
    await backup.getByRole('status').getByText(/^Backup written to .*console-backup\.sgb: 6 keys, 0 captures/).waitFor();
    expect(existsSync(file)).toBe(true);
    await backup.scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'settings-backup');

    // A key made after the backup is gone once the backup is restored.
    await dispatch(session, 'keys.generate', { type: 'ed25519', name: 'After the backup' });
    const restore = page.getByRole('form', { name: 'Restore the keystore' });
    await restore.getByLabel('Restore from').fill(file);
    await restore.getByLabel("The backup's passphrase").fill(TEST_PASSPHRASE);
    await restore.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('alert').getByText(/Tick "Replace this keystore"/).waitFor();
    await restore.getByLabel(/Replace this keystore/).check();
    await restore.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    expect((await dispatch(session, 'keys.list', {})).map((key) => key.name)).not.toContain('After the backup');
    expect(pageErrors).toEqual([]);
  });

  it('jumps to a settings section within the view, leaving the top bar and menu in place', async () => {
    const { page, pageErrors } = await seededConsole();
    const menu = page.getByRole('navigation', { name: 'Views' });
    await menu.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Expiring soon').waitFor();
    for (const section of ['Auto-lock', 'Passphrase', 'Key policies']) {
      await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: section, exact: true }).click();
      // Nothing around the view scrolled: the page, and every ancestor of the settings view.
      const scrolled = await page.evaluate<number[]>(`(() => {
        const offsets = [document.scrollingElement.scrollTop];
        for (let node = document.querySelector('section.settings').parentElement; node; node = node.parentElement) offsets.push(node.scrollTop);
        return offsets.filter((offset) => offset !== 0);
      })()`);
      expect(scrolled).toEqual([]);
      expect((await menu.boundingBox())?.y).toBeGreaterThanOrEqual(0);
    }
    expect(pageErrors).toEqual([]);
  });

  it('gives the views the width on a narrow window: an icon rail, whole workbench tabs, an audit log with its details', async () => {
    const { page, pageErrors } = await seededConsole();
    await page.setViewportSize({ width: 900, height: 700 });
    const menu = page.getByRole('navigation', { name: 'Views' });
    expect((await menu.boundingBox())?.width).toBeLessThanOrEqual(60);
    await menu.getByRole('button', { name: 'Workbench' }).click();
    for (const tab of await page.getByRole('tablist', { name: 'Workbench tools' }).getByRole('tab').all()) {
      const box = await tab.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(900);
    }
    await screenshotBothThemes(page, 'workbench-narrow');
    await menu.getByRole('button', { name: 'Audit log' }).click();
    const details = page.getByRole('table', { name: 'Audit log' }).getByRole('columnheader', { name: 'Details' });
    expect((await details.boundingBox())?.width).toBeGreaterThan(150);
    await screenshotBothThemes(page, 'audit-narrow');
    await menu.getByRole('button', { name: 'Keys' }).click();
    await page.getByRole('row', { name: /KLIX merchant 2026/ }).click();
    await page.getByRole('complementary', { name: 'Key detail' }).waitFor();
    await screenshotBothThemes(page, 'keys-narrow');
    expect(pageErrors).toEqual([]);
  });

  it('shows the service error next to a policy it refuses', async () => {
    const { page, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Default key validity').fill('forever');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByRole('alert').getByText(/keyExpiry/).waitFor();
    expect(readSettings(session).policy.keyExpiry).toBe('2y');
  });

  it('saves the inspection settings', async () => {
    const { page, pageErrors, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Inspection' });
    const tolerance = form.getByLabel('Clock tolerance (seconds)');
    await expect.poll(() => tolerance.inputValue()).toBe('60');
    await tolerance.fill('120');
    await form.getByLabel('HMAC profile').selectOption('opg-sha1-legacy');
    await form.getByLabel('Hosts whose requests must be signed').fill('api.klix.test\n*.partner.test');
    await form.getByLabel('Expected issuers (iss)').fill('https://auth.klix.test');
    await form.getByRole('button', { name: 'Save inspection settings' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    expect(readSettings(session).inspection).toMatchObject({
      clockToleranceSec: 120,
      hmacProfile: 'opg-sha1-legacy',
      signedRequestHosts: ['api.klix.test', '*.partner.test'],
      jwtIssuers: ['https://auth.klix.test'],
      apiKeyHeaders: ['X-KLIX-Api-Key'],
    });
    await form.scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'settings-inspection');
    expect(pageErrors).toEqual([]);
  });

  it('routes one owner\'s notices by e-mail and saves the SMTP server, its password sealed', async () => {
    const { page, pageErrors, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const channels = page.getByRole('form', { name: 'Notifications' });
    await channels.getByLabel('Channels for').selectOption('acme');
    await channels.getByLabel('E-mail', { exact: true }).check();
    await channels.getByLabel('E-mail to').fill('ops@acme.test, security@acme.test');
    await channels.getByRole('button', { name: 'Save notifications' }).click();
    await channels.getByRole('status').getByText('Saved.').waitFor();

    const smtp = page.getByRole('form', { name: 'SMTP server' });
    await smtp.getByLabel('SMTP host').fill('smtp.acme.test');
    await smtp.getByLabel('User').fill('signet');
    await smtp.getByLabel('Password').fill('relay-password-1');
    await smtp.getByLabel('From').fill('Signet <signet@acme.test>');
    await smtp.getByRole('button', { name: 'Save SMTP server' }).click();
    await smtp.getByRole('status').getByText('Saved.').waitFor();
    expect(await smtp.getByLabel('Password').getAttribute('placeholder')).toBe('set (unchanged when empty)');
    await smtp.scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'settings-notifications');

    const config = await dispatch(session, 'notifications.config', {});
    expect(config.owners.acme).toMatchObject({ email: true, emailTo: ['ops@acme.test', 'security@acme.test'] });
    expect(config.defaults.emailTo).toEqual([]);
    expect(config.smtp).toMatchObject({ host: 'smtp.acme.test', port: 587, security: 'starttls', user: 'signet', passwordSet: true });
    expect(JSON.stringify(session.settings.all())).not.toContain('relay-password-1');
    expect(pageErrors).toEqual([]);
  });

  it('shows the service error next to a webhook URL it refuses', async () => {
    const { page } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const channels = page.getByRole('form', { name: 'Notifications' });
    await channels.getByLabel('Webhook (SMS gateways)').check();
    await channels.getByLabel('Webhook URL').fill('ftp://sms.example/hook');
    await channels.getByRole('button', { name: 'Save notifications' }).click();
    await channels.getByRole('alert').getByText(/webhookUrl|URL/i).waitFor();
  });
});
