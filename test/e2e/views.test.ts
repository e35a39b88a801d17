import { generateKeyPairSync } from 'node:crypto';
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

/** The red, green and blue of a computed "rgb(…)" colour. */
const channels = (color: string): number[] => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(first: number[], second: number[]): number {
  const luminance = (rgb: number[]): number => {
    const [r = 0, g = 0, b = 0] = rgb.map((value) => (value / 255 <= 0.03928 ? value / 255 / 12.92 : ((value / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light = 0, dark = 0] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

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

  it('writes "no expiry" legibly on its bar, in both themes', async () => {
    const partner = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const { page } = await consoles.open({
      prepare: async (session) => {
        await seedKeys(session);
        await dispatch(session, 'keys.import', { contentBase64: partner, name: 'Partner without expiry' });
      },
    });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Timeline' }).click();
    const bar = page.getByRole('button', { name: /^Partner without expiry: active/ });
    await bar.getByText('no expiry').waitFor();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const look = await bar.evaluate((row) => {
        type Style = { fill: string; stroke: string; strokeWidth: string; opacity: string; backgroundColor: string };
        const { getComputedStyle: styleOf } = globalThis as unknown as { getComputedStyle(element: unknown): Style };
        const [label, body] = [styleOf(row.querySelector('text.label')), styleOf(row.querySelector('rect.body'))];
        let backdrop = row.parentElement;
        while (backdrop && ['rgba(0, 0, 0, 0)', 'transparent'].includes(styleOf(backdrop).backgroundColor)) backdrop = backdrop.parentElement;
        return { text: label.fill, halo: label.stroke === 'none' ? 0 : parseFloat(label.strokeWidth), bar: body.fill, opacity: Number(body.opacity), behind: styleOf(backdrop).backgroundColor };
      });
      // The bar as seen: its colour at its opacity over what is behind it.
      const [fill, behind] = [channels(look.bar), channels(look.behind)];
      const seen = fill.map((channel, index) => channel * look.opacity + (behind[index] ?? 0) * (1 - look.opacity));
      // WCAG AA for text, and no halo smudging the letters.
      expect(contrast(channels(look.text), seen)).toBeGreaterThanOrEqual(4.5);
      expect(look.halo).toBe(0);
    }
    await screenshotBothThemes(page, 'timeline-no-expiry');
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

  it('filters the audit log by a key that was deleted, named as it was, though its rows are not on the page shown', async () => {
    const { page, session } = await seededConsole();
    const legacy = session.keys.list({ search: 'Legacy signer' })[0];
    const merchant = session.keys.list({ search: 'KLIX merchant' })[0];
    await dispatch(session, 'keys.delete', { ref: legacy?.id ?? 'missing' });
    // More than a page of newer rows: the deletion is not among the rows the view loads first.
    for (let day = 0; day < 110; day++) await dispatch(session, 'keys.renew', { ref: merchant?.id ?? 'missing', expires: `${day + 400}d` });
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Audit log' }).click();
    const filter = page.getByLabel('Key', { exact: true });
    await filter.getByRole('option', { name: /deleted$/ }).waitFor({ state: 'attached' });
    await filter.selectOption({ label: `Legacy signer (${legacy?.kid.slice(0, 16)}), deleted` });
    const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.first().getByText('Key deleted').waitFor();
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

  it('says an OS notification is for the desktop app, not queued, in a browser', async () => {
    const { page } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Notifications' }).click();
    await page.getByRole('button', { name: 'Check now' }).click();
    const deliveries = page.getByRole('list', { name: 'Notifications' }).getByRole('list', { name: 'Deliveries' });
    await deliveries.first().getByText('desktop app only').waitFor();
    expect(await deliveries.getByText('queued').count()).toBe(0);
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
    // The lock screen says the restore worked, and which passphrase opens the keystore now.
    await page.getByRole('status').getByText(/^Restored from .*console-backup\.sgb \(made .+\): 6 keys, 0 captures.*Unlock it with the backup's passphrase\.$/).waitFor();
    await screenshotBothThemes(page, 'unlock-after-restore');
    expect((await dispatch(session, 'keys.list', {})).map((key) => key.name)).not.toContain('After the backup');
    await page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    // Said once: a lock the user asked for needs no explanation.
    expect(await page.getByRole('status').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows each backup form its own error beside its own button, and refuses a relative path', async () => {
    const { page, session } = await seededConsole();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const backup = page.getByRole('form', { name: 'Back up the keystore' });
    const restore = page.getByRole('form', { name: 'Restore the keystore' });
    await backup.getByLabel('Write a backup to').fill('relative.sgb');
    await backup.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
    await backup.getByRole('button', { name: 'Back up' }).click();
    await backup.getByRole('alert').getByText(/^Give a full path, starting with \/ .*"relative\.sgb" would land in whatever folder/).waitFor();
    expect(await restore.getByRole('alert').count()).toBe(0);

    await backup.getByLabel('Write a backup to').fill(join(dirname(session.path), 'wrong.sgb'));
    await backup.getByLabel('Passphrase').fill('not the passphrase');
    await backup.getByRole('button', { name: 'Back up' }).click();
    await backup.getByRole('alert').getByText(/passphrase/).waitFor();
    expect(await restore.getByRole('alert').count()).toBe(0);
    // The error sits right above its own button, not under the restore form.
    const [alertBox, buttonBox, restoreBox] = await Promise.all([backup.getByRole('alert').boundingBox(), backup.getByRole('button', { name: 'Back up' }).boundingBox(), restore.boundingBox()]);
    expect(alertBox && buttonBox && restoreBox && alertBox.y < buttonBox.y && alertBox.y < restoreBox.y).toBe(true);
    await backup.scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'settings-backup-error');

    await restore.getByLabel('Restore from').fill('backups\\old.sgb');
    await restore.getByLabel("The backup's passphrase").fill(TEST_PASSPHRASE);
    await restore.getByLabel(/Replace this keystore/).check();
    await restore.getByRole('button', { name: 'Restore' }).click();
    await restore.getByRole('alert').getByText(/^Give a full path/).waitFor();
    expect(session.unlocked).toBe(true);
    expect(existsSync(join(process.cwd(), 'relative.sgb'))).toBe(false);
  });

  it('says on the lock screen that the console locked itself after being idle', async () => {
    const { page, session } = await consoles.open({ fakeClock: true });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Lock the keystore').selectOption('1');
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.clock.fastForward('01:10');
    await page.getByRole('heading', { name: 'Unlock the keystore' }).waitFor();
    await page.getByRole('status').getByText('Locked after 1 min without activity in the console.').waitFor();
    expect(session.unlocked).toBe(false);
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
