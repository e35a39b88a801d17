import { afterEach, describe, expect, it } from 'vitest';
import { activateKey, deleteKey, generateKey, revokeKey } from '../../../main/services/keys.ts';
import { listNotifications, runNotifications, verifyWebhookSignature } from '../../../main/services/notifications/index.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, recordingOsNotifier, startSmtpServer, startWebhookServer, webhookSecretOf, type TestSmtpServer, type TestWebhookServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
let webhook: TestWebhookServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  await webhook?.close();
});

async function setUp() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  smtp = await startSmtpServer();
  webhook = await startWebhookServer();
  configureChannels(store.session, { smtpPort: smtp.port, webhookUrl: webhook.url });
  return { session: store.session, clock, smtp, webhook, os: recordingOsNotifier() };
}

describe('status-change notifications', () => {
  it('reach in-app, OS, e-mail and webhook exactly once for a creation and a revocation with its reason', async () => {
    const { session, clock, smtp, webhook, os } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'acme signing', owner: 'acme', environment: 'production' });
    await runNotifications(session, { os });
    clock.advanceDays(1);
    revokeKey(session, { ref: key.id, reason: 'key compromise' });
    await runNotifications(session, { os });
    await runNotifications(session, { os });

    const titles = ['Key "acme signing" was created', 'Key "acme signing" was revoked: key compromise'];
    expect(listNotifications(session).map((n) => n.title).reverse()).toEqual(titles);
    expect(os.shown.map((notice) => notice.title)).toEqual(titles);
    expect(smtp.mails.map((mail) => mail.subject)).toEqual(titles.map((title) => `[Signet] ${title}`));
    expect(webhook.posts.map((post) => JSON.parse(post.body).title)).toEqual(titles);

    const revoked = JSON.parse(webhook.posts[1]?.body ?? '{}');
    expect(revoked).toMatchObject({ event: 'key.revoked', revocation: { reason: 'key compromise', effectiveAt: '2027-01-02T00:00:00.000Z' }, key: { kid: key.kid, owner: 'acme', environment: 'production' } });
    expect(smtp.mails[1]?.text).toContain('Reason:       key compromise');
    expect(listNotifications(session).flatMap((n) => n.deliveries.map((d) => d.status))).toEqual(Array(6).fill('sent'));
  });

  it('announces an activation and a deletion, naming the deleted key by the labels it had', async () => {
    const { session, smtp } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'spare', owner: 'acme', pending: true });
    activateKey(session, key.id);
    deleteKey(session, key.id);
    await runNotifications(session);
    expect(listNotifications(session).map((n) => n.event)).toEqual(['key.deleted', 'key.activated', 'key.created']);
    const deletion = smtp.mails.find((mail) => mail.subject.includes('was deleted'));
    expect(deletion?.text).toContain(`kid:          ${key.kid}`);
    expect(deletion?.text).toContain('Owner:        acme');
  });

  it('signs every webhook post so the receiver can check it came from Signet and is fresh', async () => {
    const { session, webhook } = await setUp();
    await generateKey(session, { type: 'ec', name: 'signed' });
    await runNotifications(session);
    const secret = webhookSecretOf(session);
    const [post] = webhook.posts;
    const header = String(post?.headers['x-signet-signature']);
    const now = new Date('2027-01-01T00:00:00Z');
    expect(verifyWebhookSignature(header, post?.body ?? '', secret, now)).toBe(true);
    expect(verifyWebhookSignature(header, `${post?.body} `, secret, now)).toBe(false);
    expect(verifyWebhookSignature(header, post?.body ?? '', `${secret}x`, now)).toBe(false);
    expect(verifyWebhookSignature(header, post?.body ?? '', secret, new Date('2027-01-01T00:06:00Z'))).toBe(false);
    expect(post?.headers['x-signet-delivery']).toBe(JSON.parse(post?.body ?? '{}').id);
  });
});
