import { afterEach, describe, expect, it } from 'vitest';
import { unlockKeystore } from '../../../main/services/keystore.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import { listNotifications, runNotifications, updateConfig } from '../../../main/services/notifications/index.ts';
import { Session } from '../../../main/services/session.ts';
import { manualClock, tempStore, TEST_PASSPHRASE, type TempStore } from '../../support/store.ts';
import {
  configureChannels,
  recordingOsNotifier,
  startSmtpServer,
  startWebhookServer,
  unusedPort,
  type TestSmtpServer,
  type TestWebhookServer,
} from './support.ts';

let store: TempStore | undefined;
let second: Session | undefined;
let smtp: TestSmtpServer | undefined;
let webhook: TestWebhookServer | undefined;
afterEach(async () => {
  second?.close();
  store?.cleanup();
  await smtp?.close();
  await webhook?.close();
  second = smtp = webhook = store = undefined;
});

async function freshStore() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  return { session: store.session, clock };
}

const emailOf = (session: Session) => listNotifications(session).flatMap((n) => n.deliveries.filter((d) => d.channel === 'email'));

describe('delivery with retry', () => {
  it('keeps an e-mail queued with its error while the SMTP server is down, and delivers it on a later run', async () => {
    const { session, clock } = await freshStore();
    const port = await unusedPort();
    configureChannels(session, { smtpPort: port });
    await generateKey(session, { type: 'ec', name: 'patient' });

    const down = await runNotifications(session);
    expect(down.failed).toMatchObject([{ channel: 'email', attempts: 1, nextAttemptAt: '2027-01-01T00:05:00.000Z', error: expect.stringMatching(/ECONNREFUSED|ECONNECTION/) }]);
    expect(emailOf(session)).toMatchObject([{ status: 'pending', attempts: 1, nextAttemptAt: '2027-01-01T00:05:00.000Z', lastError: expect.stringMatching(/ECONN/) }]);

    smtp = await startSmtpServer({ port });
    clock.advanceDays(1 / 24 / 60); // one minute: not due yet, so not tried
    expect((await runNotifications(session)).delivered).toBe(0);
    expect(smtp.mails).toHaveLength(0);

    clock.advanceDays(5 / 24 / 60);
    const up = await runNotifications(session);
    expect(up).toMatchObject({ delivered: 1, failed: [], queued: 0 });
    expect(smtp.mails.map((mail) => mail.subject)).toEqual(['[Signet] Key "patient" was created']);
    expect(emailOf(session)).toMatchObject([{ status: 'sent', attempts: 2, lastError: null, sentAt: '2027-01-01T00:06:00.000Z' }]);
    await runNotifications(session);
    expect(smtp.mails).toHaveLength(1);
  });

  it('counts a recipient the SMTP server refused as a failed delivery, names it, and retries only that one', async () => {
    const { session, clock } = await freshStore();
    const refusing = new Set(['keys@example.test']);
    smtp = await startSmtpServer({ refuse: (address) => refusing.has(address) });
    configureChannels(session, { smtpPort: smtp.port });
    updateConfig(session, { channels: { emailTo: ['ops@example.test', 'keys@example.test'] } });
    await generateKey(session, { type: 'ec', name: 'half sent' });

    const run = await runNotifications(session);
    expect(run).toMatchObject({ delivered: 0, queued: 1 });
    expect(run.failed).toMatchObject([{ channel: 'email', attempts: 1, nextAttemptAt: '2027-01-01T00:05:00.000Z', error: expect.stringMatching(/refused keys@example\.test \(550 no such user\)/) }]);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.test']]);
    expect(emailOf(session)).toMatchObject([{ status: 'pending', target: 'keys@example.test', attempts: 1, lastError: expect.stringContaining('keys@example.test') }]);

    refusing.clear();
    clock.advanceDays(5 / 24 / 60);
    expect(await runNotifications(session)).toMatchObject({ delivered: 1, failed: [], queued: 0 });
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.test'], ['keys@example.test']]);
    expect(emailOf(session)).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  it('fails an e-mail whose every recipient was refused, in the same words', async () => {
    const { session } = await freshStore();
    smtp = await startSmtpServer({ refuse: () => true });
    configureChannels(session, { smtpPort: smtp.port });
    await generateKey(session, { type: 'ec', name: 'nobody home' });
    expect((await runNotifications(session)).failed).toMatchObject([{ channel: 'email', attempts: 1, error: expect.stringMatching(/refused ops@example\.test \(550 no such user\)/) }]);
    expect(smtp.mails).toEqual([]);
  });

  it('doubles the wait after each failed attempt', async () => {
    const { session, clock } = await freshStore();
    configureChannels(session, { smtpPort: await unusedPort() });
    await generateKey(session, { type: 'ec', name: 'unlucky' });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const run = await runNotifications(session);
      const next = new Date(run.failed[0]?.nextAttemptAt ?? 0);
      waits.push((next.getTime() - new Date(run.at).getTime()) / 60_000);
      clock.set(next.toISOString());
    }
    expect(waits).toEqual([5, 10, 20, 40]);
  });

  it('retries a webhook that answered with an error status', async () => {
    const { session, clock } = await freshStore();
    webhook = await startWebhookServer();
    updateConfig(session, { channels: { webhookUrl: webhook.url } });
    webhook.answer(503);
    await generateKey(session, { type: 'ec', name: 'hooked' });
    expect((await runNotifications(session)).failed).toMatchObject([{ channel: 'webhook', error: expect.stringContaining('HTTP 503') }]);
    webhook.answer(204);
    clock.advanceDays(1);
    expect((await runNotifications(session)).delivered).toBe(1);
    expect(webhook.posts).toHaveLength(1);
  });

  it('leaves OS notifications queued until a host that can show them runs', async () => {
    const { session } = await freshStore();
    await generateKey(session, { type: 'ec', name: 'quiet' });
    expect(await runNotifications(session)).toMatchObject({ delivered: 0, failed: [], queued: 0, waitingForDesktop: 1 });
    const os = recordingOsNotifier();
    expect(await runNotifications(session, { os })).toMatchObject({ delivered: 1, queued: 0 });
    expect(os.shown).toMatchObject([{ title: 'Key "quiet" was created' }]);
  });

  it('shows a pile of OS notifications as one summary banner', async () => {
    const { session } = await freshStore();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await generateKey(session, { type: 'ed25519', name });
    const os = recordingOsNotifier();
    expect((await runNotifications(session, { os })).delivered).toBe(5);
    expect(os.shown).toMatchObject([{ title: '5 new notifications from Signet', notificationId: null }]);
  });

  it('cancels a queued reminder whose key was revoked before it went out', async () => {
    const { session, clock } = await freshStore();
    configureChannels(session, { smtpPort: await unusedPort() });
    const key = await generateKey(session, { type: 'ec', name: 'withdrawn', expires: '100d' });
    clock.advanceDays(10);
    await runNotifications(session);
    revokeKey(session, { ref: key.id, reason: 'superseded' });
    clock.advanceDays(1);
    const run = await runNotifications(session);
    expect(run.cancelled).toBe(1);
    const reminder = () => listNotifications(session).find((n) => n.event === 'key.expiring');
    expect(reminder()?.deliveries.find((d) => d.channel === 'email')).toMatchObject({ status: 'cancelled', lastError: expect.stringContaining('revoked before the reminder') });
    const os = recordingOsNotifier();
    await runNotifications(session, { os });
    expect(os.shown.map((notice) => notice.title)).toEqual(['Key "withdrawn" was created', 'Key "withdrawn" was revoked: superseded']);
    expect(reminder()?.deliveries.find((d) => d.channel === 'os')).toMatchObject({ status: 'cancelled' });
  });

  it('never sends a notification twice when two sessions on one keystore run at once', async () => {
    const { session, clock } = await freshStore();
    smtp = await startSmtpServer();
    webhook = await startWebhookServer();
    configureChannels(session, { smtpPort: smtp.port, webhookUrl: webhook.url });
    second = Session.open(store?.path ?? '', { clock });
    await unlockKeystore(second, TEST_PASSPHRASE);
    await generateKey(session, { type: 'ec', name: 'contested', expires: '100d' });
    clock.advanceDays(75);

    const runs = await Promise.all([runNotifications(session), runNotifications(second), runNotifications(session), runNotifications(second)]);
    expect(runs.reduce((sum, run) => sum + run.created.length, 0)).toBe(2);
    expect(runs.reduce((sum, run) => sum + run.delivered, 0)).toBe(4);
    expect(smtp.mails.map((mail) => mail.subject).sort()).toEqual(['[Signet] Key "contested" expires in 25 days', '[Signet] Key "contested" was created']);
    expect(webhook.posts).toHaveLength(2);
  });
});
