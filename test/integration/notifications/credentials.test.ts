import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { unlockKeystore } from '../../../main/services/keystore.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { configView, listNotifications, runNotifications, updateConfig } from '../../../main/services/notifications/index.ts';
import { manualClock, tempStore, TEST_PASSPHRASE, type TempStore } from '../../support/store.ts';
import { configureChannels, startSmtpServer, startWebhookServer, webhookSecretOf, type TestSmtpServer, type TestWebhookServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
let webhook: TestWebhookServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  await webhook?.close();
  store = smtp = webhook = undefined;
});

const SMTP_PASSWORD = 'smtp-password-5b1e77c2';

async function configuredStore(options: { echo?: boolean; login?: boolean } = {}) {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  const login = { user: 'signet', password: options.echo ? 'another one' : SMTP_PASSWORD, ...(options.echo && { echo: true }) };
  smtp = await startSmtpServer(options.login === false ? {} : { login });
  webhook = await startWebhookServer();
  configureChannels(store.session, { smtpPort: smtp.port, webhookUrl: webhook.url });
  if (options.login !== false) updateConfig(store.session, { smtp: { user: 'signet', password: SMTP_PASSWORD } });
  return { session: store.session, path: store.path, clock, smtp, webhook };
}

/** Every byte SQLite wrote: the database file and its write-ahead log. */
function keystoreBytes(path: string): string {
  return [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('');
}

describe('channel credentials', () => {
  it('never appear in clear anywhere in the keystore file, after deliveries that succeeded and failed', async () => {
    const { session, path } = await configuredStore();
    await generateKey(session, { type: 'ec', name: 'audited' });
    await runNotifications(session);
    webhook?.answer(500);
    await generateKey(session, { type: 'ec', name: 'second' });
    await runNotifications(session);
    const webhookSecret = webhookSecretOf(session);

    const bytes = keystoreBytes(path);
    expect(bytes).not.toContain(SMTP_PASSWORD);
    expect(bytes).not.toContain(webhookSecret);
    expect(bytes).not.toContain(Buffer.from(webhookSecret).toString('base64'));
    expect(smtp?.mails).toHaveLength(2);
  });

  it('are shown in the settings only as set or not', async () => {
    const { session } = await configuredStore();
    const view = configView(session);
    expect(view.smtp).toMatchObject({ user: 'signet', passwordSet: true });
    expect(view.defaults).toMatchObject({ webhookSecretSet: true });
    expect(JSON.stringify(view)).not.toContain(SMTP_PASSWORD);
  });

  it('are scrubbed from a delivery error when a server echoes them back', async () => {
    const { session } = await configuredStore({ echo: true });
    await generateKey(session, { type: 'ec', name: 'echoed' });
    const run = await runNotifications(session);
    const email = listNotifications(session)[0]?.deliveries.find((delivery) => delivery.channel === 'email');
    expect(email?.lastError).toContain('[redacted]');
    expect(email?.lastError).not.toContain(SMTP_PASSWORD);
    expect(JSON.stringify(run)).not.toContain(SMTP_PASSWORD);
  });

  it('make a run on a locked keystore ask for the passphrase first, having changed nothing', async () => {
    const { session } = await configuredStore();
    await generateKey(session, { type: 'ec', name: 'waiting' });
    session.lock();
    await expect(runNotifications(session)).rejects.toMatchObject({ code: 'ERR_LOCKED' });
    expect(listNotifications(session)).toEqual([]);
    await unlockKeystore(session, TEST_PASSPHRASE);
    expect((await runNotifications(session)).delivered).toBe(2);
  });

  it('let the desktop timer send what needs no credential while locked, and keep the rest queued untouched', async () => {
    const { session, webhook } = await configuredStore({ login: false });
    await generateKey(session, { type: 'ec', name: 'half' });
    session.lock();
    const run = await runNotifications(session, { whenLocked: 'skip' });
    expect(run).toMatchObject({ delivered: 1, failed: [], queued: 1 });
    expect(listNotifications(session)[0]?.deliveries.find((delivery) => delivery.channel === 'webhook')).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(webhook.posts).toHaveLength(0);
  });

  it('may not ride in a webhook URL, where they would be stored in clear', async () => {
    const { session } = await configuredStore();
    expect(() => updateConfig(session, { channels: { webhookUrl: 'https://user:pass@hooks.example.test/x' } })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
  });
});
