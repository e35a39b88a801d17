import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { runNotifications, startNotificationTimer, updateConfig, verifyWebhookSignature } from '../../../main/services/notifications/index.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, recordingOsNotifier, startSmtpServer, startWebhookServer, webhookSecretOf, type TestSmtpServer, type TestWebhookServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
const servers: TestWebhookServer[] = [];
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  store = smtp = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setUp() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  const webhook = await startWebhookServer();
  servers.push(webhook);
  updateConfig(store.session, { channels: { webhookUrl: webhook.url } });
  return { session: store.session, clock, webhook };
}

const signatureOf = (post: { headers: Record<string, unknown> } | undefined) => String(post?.headers['x-signet-signature']);

describe('webhook notifications', () => {
  it('are signed so the receiver can check they came from Signet and are fresh', async () => {
    const { session, webhook } = await setUp();
    await generateKey(session, { type: 'ec', name: 'signed' });
    await runNotifications(session);
    const secret = webhookSecretOf(session);
    const [post] = webhook.posts;
    const body = post?.body ?? '';
    const now = new Date('2027-01-01T00:00:00Z');
    expect(verifyWebhookSignature(signatureOf(post), body, secret, now)).toBe(true);
    expect(verifyWebhookSignature(signatureOf(post), `${body} `, secret, now)).toBe(false);
    expect(verifyWebhookSignature(signatureOf(post), body, `${secret}x`, now)).toBe(false);
    expect(verifyWebhookSignature(signatureOf(post), body, secret, new Date('2027-01-01T00:06:00Z'))).toBe(false);
    expect(post?.headers['x-signet-delivery']).toBe(JSON.parse(body).id);
  });

  it('go to an owner’s own URL, signed with that owner’s own secret', async () => {
    const { session, webhook } = await setUp();
    const acmeHook = await startWebhookServer();
    servers.push(acmeHook);
    updateConfig(session, { owner: 'acme', channels: { webhookUrl: acmeHook.url } });
    await generateKey(session, { type: 'ec', name: 'acme key', owner: 'acme' });
    await generateKey(session, { type: 'ec', name: 'house key' });
    await runNotifications(session);
    const now = new Date('2027-01-01T00:00:00Z');
    const [acmePost] = acmeHook.posts;
    const [housePost] = webhook.posts;
    expect(JSON.parse(acmePost?.body ?? '{}').title).toBe('Key "acme key" was created');
    expect(JSON.parse(housePost?.body ?? '{}').title).toBe('Key "house key" was created');
    expect(verifyWebhookSignature(signatureOf(acmePost), acmePost?.body ?? '', webhookSecretOf(session, 'acme'), now)).toBe(true);
    expect(verifyWebhookSignature(signatureOf(acmePost), acmePost?.body ?? '', webhookSecretOf(session), now)).toBe(false);
  });

  it('are signed with the new secret after a rotation', async () => {
    const { session, webhook } = await setUp();
    const before = webhookSecretOf(session);
    updateConfig(session, { rotateWebhookSecret: true });
    const after = webhookSecretOf(session);
    await generateKey(session, { type: 'ec', name: 'rotated' });
    await runNotifications(session);
    const [post] = webhook.posts;
    const now = new Date('2027-01-01T00:00:00Z');
    expect(after).not.toBe(before);
    expect(verifyWebhookSignature(signatureOf(post), post?.body ?? '', after, now)).toBe(true);
  });

  it('refuse a secret for an owner that posts to the default webhook', async () => {
    const { session } = await setUp();
    expect(() => updateConfig(session, { owner: 'acme', rotateWebhookSecret: true })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('default webhook') }));
  });

  it('count a redirect as a failed delivery rather than follow it', async () => {
    const { session, webhook } = await setUp();
    webhook.answer(307);
    await generateKey(session, { type: 'ec', name: 'redirected' });
    expect((await runNotifications(session)).failed).toMatchObject([{ channel: 'webhook', error: expect.stringContaining('HTTP 307') }]);
  });
});

describe('a reminder near a day boundary', () => {
  // The title counts by the UTC calendar within two days, by the nearest day beyond: `daysLeft` must say the same.
  it.each([
    { expires: '2027-06-16T00:30:00Z', at: '2027-06-15T23:30:00Z', days: 1, when: 'tomorrow' },
    { expires: '2027-06-16T08:36:00Z', at: '2027-06-14T23:00:00Z', days: 2, when: 'in 2 days' },
    { expires: '2027-06-16T23:59:00Z', at: '2027-06-15T00:00:00Z', days: 2, when: 'in 2 days' },
  ])('has the same count of days in its title, e-mail and webhook daysLeft (expiring $expires, made $at)', async ({ expires, at, days, when }) => {
    const { session, clock, webhook } = await setUp();
    smtp = await startSmtpServer();
    configureChannels(session, { smtpPort: smtp.port, webhookUrl: webhook.url });
    await generateKey(session, { type: 'ec', name: 'boundary', expires });
    clock.set(at);
    await runNotifications(session);
    const payload = webhook.posts.map((post) => JSON.parse(post.body)).find((body) => body.event === 'key.expiring');
    const mail = smtp.mails.find((received) => received.headers.get('x-signet-event') === 'key.expiring');
    expect(payload).toMatchObject({ title: `Key "boundary" expires ${when}`, reminder: { daysLeft: days } });
    expect(mail?.subject).toBe(`[Signet] Key "boundary" expires ${when}`);
  });
});

describe('the desktop timer', () => {
  it('runs at once, shows OS notifications, and runs again on demand', async () => {
    const { session, webhook } = await setUp();
    const os = recordingOsNotifier();
    const timer = startNotificationTimer(session, { os, everyMs: 3_600_000 });
    await timer.runNow();
    await generateKey(session, { type: 'ec', name: 'desktop' });
    await timer.runNow();
    timer.stop();
    expect(os.shown.map((notice) => notice.title)).toEqual(['Key "desktop" was created']);
    expect(webhook.posts).toHaveLength(1);
  });
});
