import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { listNotifications, markRead, runNotifications, testChannel, unreadCount, updateConfig } from '../../../main/services/notifications/index.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, startSmtpServer, type TestSmtpServer } from './support.ts';

let store: TempStore | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  store?.cleanup();
  await smtp?.close();
  store = smtp = undefined;
});

async function storeWithThree() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  for (const name of ['first', 'second', 'third']) {
    await generateKey(store.session, { type: 'ed25519', name });
    clock.advanceDays(1);
  }
  await runNotifications(store.session);
  return { session: store.session, clock };
}

describe('the in-app notification center', () => {
  it('lists notifications newest first and counts the unread ones', async () => {
    const { session } = await storeWithThree();
    expect(listNotifications(session).map((n) => n.title)).toEqual(['Key "third" was created', 'Key "second" was created', 'Key "first" was created']);
    expect(unreadCount(session)).toEqual({ unread: 3 });
  });

  it('marks one notification read, then the rest', async () => {
    const { session } = await storeWithThree();
    const [newest] = listNotifications(session);
    expect(markRead(session, { ids: [newest?.id ?? ''] })).toEqual({ marked: 1, unread: 2 });
    expect(listNotifications(session, { unread: true }).map((n) => n.title)).toEqual(['Key "second" was created', 'Key "first" was created']);
    expect(listNotifications(session)[0]?.readAt).toBe('2027-01-04T00:00:00.000Z');
    expect(markRead(session, { all: true })).toEqual({ marked: 2, unread: 0 });
  });

  it('refuses to mark a notification that does not exist', async () => {
    const { session } = await storeWithThree();
    expect(() => markRead(session, { ids: ['n_0000000000000000'] })).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND' }));
    expect(unreadCount(session)).toEqual({ unread: 3 });
  });

  it('finds the notifications of one key by its kid', async () => {
    const { session } = await storeWithThree();
    const key = await generateKey(session, { type: 'ec', name: 'fourth', kid: 'merchant-2027' });
    await runNotifications(session);
    expect(listNotifications(session, { key: 'merchant-2027' })).toMatchObject([{ keyId: key.id, title: 'Key "fourth" was created' }]);
  });

  it('leaves out an owner whose in-app channel is off, while still e-mailing it', async () => {
    const clock = manualClock('2027-01-01T00:00:00Z');
    store = await tempStore({ clock });
    smtp = await startSmtpServer();
    configureChannels(store.session, { smtpPort: smtp.port });
    updateConfig(store.session, { owner: 'batch', channels: { inApp: false } });
    await generateKey(store.session, { type: 'ec', name: 'batch key', owner: 'batch' });
    await generateKey(store.session, { type: 'ec', name: 'desk key', owner: 'desk' });
    await runNotifications(store.session);
    expect(listNotifications(store.session).map((n) => n.title)).toEqual(['Key "desk key" was created']);
    expect(smtp.mails.map((mail) => mail.subject)).toContain('[Signet] Key "batch key" was created');
  });

  it('shows an in-app test notification', async () => {
    const { session } = await storeWithThree();
    expect(await testChannel(session, { channel: 'in-app' })).toMatchObject({ delivered: true });
    expect(listNotifications(session)[0]).toMatchObject({ event: 'test', title: 'Signet test notification', readAt: null });
  });
});
