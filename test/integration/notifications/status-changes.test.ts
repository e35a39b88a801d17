import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { activateKey, deleteKey, revokeKey } from '../../../main/services/key-status.ts';
import { listNotifications, runNotifications } from '../../../main/services/notifications/index.ts';
import { Session } from '../../../main/services/session.ts';
import { auditLog } from '../../../main/store/audit.ts';
import { migrations } from '../../../main/store/migrations/index.ts';
import notificationsMigration from '../../../main/store/migrations/003-notifications.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { configureChannels, recordingOsNotifier, startSmtpServer, startWebhookServer, type TestSmtpServer, type TestWebhookServer } from './support.ts';

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

  it('does not replay history written before the upgrade that added notifications', async () => {
    const clock = manualClock('2027-01-01T00:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'signet-upgrade-'));
    const path = join(dir, 'keystore.db');
    // A keystore as an older Signet left it: the schema before notifications, with history in its log.
    const before = migrations.indexOf(notificationsMigration);
    const older = new Database(path);
    for (const sql of migrations.slice(0, before)) older.exec(sql);
    older.pragma(`user_version = ${before}`);
    auditLog(older).append('key.created', 'k_old', { kid: 'old-kid', name: 'older than notifications', owner: 'acme' }, clock());
    older.close();

    const upgraded = Session.open(path, { clock });
    try {
      expect((await runNotifications(upgraded)).created).toEqual([]);
      upgraded.transaction(() => upgraded.audit.append('key.revoked', 'k_old', { kid: 'old-kid', reason: 'retired' }, clock()));
      expect((await runNotifications(upgraded)).created.map((n) => n.title)).toEqual(['Key "older than notifications" was revoked: retired']);
    } finally {
      upgraded.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
