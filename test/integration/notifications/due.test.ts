import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import { listNotifications, notificationsDue, runNotifications } from '../../../main/services/notifications/index.ts';
import type { DueNotificationView, NotificationView } from '../../../main/services/notification-views.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, startSmtpServer, startWebhookServer, type TestSmtpServer, type TestWebhookServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
let webhook: TestWebhookServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  await webhook?.close();
  store = smtp = webhook = undefined;
});

/**
 * A keystore with e-mail and webhook channels, a key 75 days into a 100-day life (its 30-day reminder
 * is due, standing for the 90-day one too) and a revoked key, none of it announced yet.
 */
async function storeWithWorkDue() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  const { session } = store;
  smtp = await startSmtpServer();
  webhook = await startWebhookServer();
  configureChannels(session, { smtpPort: smtp.port, webhookUrl: webhook.url });
  await generateKey(session, { type: 'ec', name: 'expiring', owner: 'acme', expires: '100d' });
  const revoked = await generateKey(session, { type: 'ed25519', name: 'revoked' });
  await revokeKey(session, { ref: revoked.id, reason: 'superseded' });
  clock.advanceDays(75);
  return session;
}

/** What a preview and a run both say of a notification (a run's also has an id and delivery states). */
const notice = ({ event, keyId, title, body, facts, inApp, createdAt, deliveries }: DueNotificationView | NotificationView) => ({
  event,
  keyId,
  title,
  body,
  facts,
  inApp,
  createdAt,
  deliveries: deliveries.map(({ channel, target }) => ({ channel, target })),
});

describe('notifications.due', () => {
  it('answers exactly what a run at the same moment then records', async () => {
    const session = await storeWithWorkDue();
    const due = notificationsDue(session);
    const run = await runNotifications(session);
    expect(due.due.map((n) => n.title)).toEqual([
      'Key "expiring" was created',
      'Key "revoked" was created',
      'Key "revoked" was revoked: superseded',
      'Key "expiring" expires in 25 days',
    ]);
    expect(due.due.map(notice)).toEqual(run.created.map(notice));
    expect(due.at).toBe(run.at);
  });

  it('stores and sends nothing: no notices, and a run afterwards still records every one', async () => {
    const session = await storeWithWorkDue();
    const titles = notificationsDue(session).due.map((n) => n.title);
    expect(notificationsDue(session).due.map((n) => n.title)).toEqual(titles);
    expect(listNotifications(session)).toEqual([]);
    expect(smtp?.mails).toEqual([]);
    expect(webhook?.posts).toEqual([]);

    // The audit cursor and the reminder marks were rolled back too: the run announces it all, once.
    const run = await runNotifications(session);
    expect(run.created.map((n) => n.title)).toEqual(titles);
    expect(run.created.find((n) => n.event === 'key.expiring')?.facts.covers).toEqual([90, 30]);
    expect(notificationsDue(session).due).toEqual([]);
  });

  it('answers on a locked keystore holding channel credentials, which it never opens', async () => {
    const session = await storeWithWorkDue();
    session.lock();
    const due = await dispatch(session, 'notifications.due', {});
    expect(due.due).toHaveLength(4);
    await expect(dispatch(session, 'notifications.run', {})).rejects.toMatchObject({ code: 'ERR_LOCKED' });
  });
});
