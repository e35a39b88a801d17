import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { deleteKey, renewKey, revokeKey } from '../../../main/services/key-status.ts';
import { listNotifications, runNotifications, updateConfig } from '../../../main/services/notifications/index.ts';
import type { NotificationView } from '../../../main/services/notification-views.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';

let store: TempStore | undefined;
afterEach(() => store?.cleanup());

async function setUp() {
  const clock = manualClock('2027-01-01T00:00:00Z');
  store = await tempStore({ clock });
  return { session: store.session, clock };
}

const reminders = (notifications: NotificationView[]) => notifications.filter((n) => n.event === 'key.expiring' || n.event === 'key.expired');
const all = (store: TempStore) => listNotifications(store.session, { limit: 1000 });

describe('status notices', () => {
  it('are stamped with when the change happened, not when the scheduler noticed it', async () => {
    const { session, clock } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'noticed late' });
    await revokeKey(session, { ref: key.id, reason: 'superseded' });
    clock.advanceDays(2);
    await runNotifications(session);
    const revoked = all(store as TempStore).find((n) => n.event === 'key.revoked');
    expect(revoked?.createdAt).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('expiry reminders', () => {
  it('announces every offset and the expiry exactly once across repeated runs', async () => {
    const { session, clock } = await setUp();
    await generateKey(session, { type: 'ec', name: 'acme signing', owner: 'acme', expires: '100d' });
    for (let halfDay = 0; halfDay <= 2 * 104; halfDay++) {
      await runNotifications(session);
      await runNotifications(session);
      clock.advanceDays(0.5);
    }
    const sent = reminders(listNotifications(session, { limit: 1000 }));
    expect(sent.map((n) => n.facts.daysBefore).sort((a, b) => (b ?? 0) - (a ?? 0))).toEqual([90, 30, 7, 1, 0]);
    expect(sent.find((n) => n.facts.daysBefore === 0)).toMatchObject({ event: 'key.expired', title: 'Key "acme signing" has expired' });
    expect(sent.find((n) => n.facts.daysBefore === 30)).toMatchObject({ event: 'key.expiring', title: 'Key "acme signing" expires in 30 days', createdAt: '2027-03-12T00:00:00.000Z' });
  });

  it('names each reminder by its own offset when the run comes minutes after it fell due', async () => {
    const { session, clock } = await setUp();
    await generateKey(session, { type: 'ec', name: 'punctual', expires: '2027-06-15T10:00:00Z' });
    const titles: string[] = [];
    for (const days of [90, 30, 7, 1]) {
      clock.set(new Date(Date.parse('2027-06-15T10:05:00Z') - days * 86_400_000).toISOString());
      const run = await runNotifications(session);
      titles.push(...run.created.filter((n) => n.event === 'key.expiring').map((n) => `${n.title} (${n.facts.daysLeft})`));
    }
    expect(titles).toEqual([
      'Key "punctual" expires in 90 days (90)',
      'Key "punctual" expires in 30 days (30)',
      'Key "punctual" expires in 7 days (7)',
      'Key "punctual" expires tomorrow (1)',
    ]);
  });

  it('follows the configured offsets', async () => {
    const { session, clock } = await setUp();
    updateConfig(session, { reminderDays: [14] });
    await generateKey(session, { type: 'ec', name: 'short', expires: '20d' });
    for (let day = 0; day <= 21; day++, clock.advanceDays(1)) await runNotifications(session);
    expect(reminders(all(store as TempStore)).map((n) => n.facts.daysBefore)).toEqual([0, 14]);
  });

  it('skips offsets the key never lived through (no 90-day reminder for a 40-day key)', async () => {
    const { session, clock } = await setUp();
    await generateKey(session, { type: 'ec', name: 'brief', expires: '40d' });
    for (let day = 0; day <= 41; day++, clock.advanceDays(1)) await runNotifications(session);
    expect(reminders(all(store as TempStore)).map((n) => n.facts.daysBefore)).toEqual([0, 1, 7, 30]);
  });

  it('sends no reminder for a key revoked before its reminder fell due', async () => {
    const { session, clock } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'doomed', expires: '40d' });
    await runNotifications(session);
    clock.advanceDays(5);
    revokeKey(session, { ref: key.id, reason: 'superseded' });
    for (let day = 5; day <= 45; day++, clock.advanceDays(1)) await runNotifications(session);
    const notifications = all(store as TempStore);
    expect(reminders(notifications)).toEqual([]);
    expect(notifications.map((n) => n.event)).toEqual(['key.revoked', 'key.created']);
  });

  it('sends no reminder for a deleted key', async () => {
    const { session, clock } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'gone', expires: '40d' });
    deleteKey(session, key.id);
    for (let day = 0; day <= 41; day++, clock.advanceDays(1)) await runNotifications(session);
    expect(reminders(all(store as TempStore))).toEqual([]);
  });

  it('sends one summary for a key whose offsets fell due while Signet was not running', async () => {
    const { session, clock } = await setUp();
    await generateKey(session, { type: 'ec', name: 'neglected', expires: '100d' });
    await runNotifications(session);
    clock.advanceDays(95);
    const run = await runNotifications(session);
    expect(run.created).toHaveLength(1);
    expect(run.created[0]).toMatchObject({
      event: 'key.expiring',
      title: 'Key "neglected" expires in 5 days',
      facts: { daysBefore: 7, covers: [90, 30, 7], daysLeft: 5 },
    });
    expect(run.created[0]?.body).toContain('stands for the 90-day, 30-day, 7-day reminders');
    clock.advanceDays(4);
    expect((await runNotifications(session)).created.map((n) => n.facts.daysBefore)).toEqual([1]);
  });

  it('does not announce a reminder again when the clock is set back', async () => {
    const { session, clock } = await setUp();
    await generateKey(session, { type: 'ec', name: 'steady', expires: '100d' });
    clock.set('2027-03-12T00:00:00Z');
    expect((await runNotifications(session)).created.map((n) => n.event)).toEqual(['key.created', 'key.expiring']);
    clock.set('2027-03-01T00:00:00Z');
    await runNotifications(session);
    clock.set('2027-03-13T00:00:00Z');
    expect((await runNotifications(session)).created).toEqual([]);
  });

  it('starts over for a renewed expiry, without announcing the old one', async () => {
    const { session, clock } = await setUp();
    const key = await generateKey(session, { type: 'ec', name: 'renewed', expires: '100d' });
    clock.advanceDays(80);
    await runNotifications(session);
    renewKey(session, { ref: key.id, expires: '100d' });
    for (let day = 80; day <= 185; day++, clock.advanceDays(1)) await runNotifications(session);
    const sent = reminders(all(store as TempStore));
    expect(sent.map((n) => [n.facts.daysBefore, n.facts.expiresAt?.slice(0, 10)])).toEqual([
      [0, '2027-06-30'],
      [1, '2027-06-30'],
      [7, '2027-06-30'],
      [30, '2027-06-30'],
      [90, '2027-06-30'],
      [30, '2027-04-11'],
    ]);
  });
});
