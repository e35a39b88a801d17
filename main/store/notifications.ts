import type { Db } from './db.ts';

/**
 * Notifications and what the scheduler needs to never send one twice: the audit cursor, reminder
 * marks (UNIQUE per key, expiry and offset), delivery rows with their retry state and sender lease,
 * and the sealed channel credentials. Times are ISO 8601 text, which sorts as time does.
 */
export type DeliveryChannelName = 'os' | 'email' | 'webhook';

export interface NotificationRecord {
  id: string;
  event: string;
  keyId: string | null;
  owner: string;
  title: string;
  body: string;
  /** JSON written by the notification service: labels and dates, never secret. */
  facts: Record<string, unknown>;
  auditSeq: number | null;
  inApp: boolean;
  createdAt: Date;
  readAt: Date | null;
}

export interface DeliveryRecord {
  id: number;
  notificationId: string;
  channel: DeliveryChannelName;
  target: string;
  secretRef: string | null;
  status: 'pending' | 'sent' | 'cancelled';
  attempts: number;
  nextAttemptAt: Date;
  claimedUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
}

/** An audit row as the scheduler reads it (the chain fields are the audit log's business). */
export interface AuditEvent {
  seq: number;
  at: Date;
  action: string;
  keyId: string | null;
  detail: Record<string, unknown>;
}

interface NotificationRow {
  id: string;
  event: string;
  key_id: string | null;
  owner: string;
  title: string;
  body: string;
  facts: string;
  audit_seq: number | null;
  in_app: number;
  created_at: string;
  read_at: string | null;
}

interface DeliveryRow {
  id: number;
  notification_id: string;
  channel: string;
  target: string;
  secret_ref: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  sent_at: string | null;
}

const date = (text: string | null): Date | null => (text === null ? null : new Date(text));

function toNotification(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    event: row.event,
    keyId: row.key_id,
    owner: row.owner,
    title: row.title,
    body: row.body,
    facts: JSON.parse(row.facts) as Record<string, unknown>,
    auditSeq: row.audit_seq,
    inApp: row.in_app === 1,
    createdAt: new Date(row.created_at),
    readAt: date(row.read_at),
  };
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    notificationId: row.notification_id,
    channel: row.channel as DeliveryChannelName,
    target: row.target,
    secretRef: row.secret_ref,
    status: row.status as DeliveryRecord['status'],
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    claimedUntil: date(row.claimed_until),
    lastError: row.last_error,
    sentAt: date(row.sent_at),
  };
}

export function notificationsRepository(db: Db) {
  const cursor = db.prepare("SELECT seq FROM notification_cursor WHERE name = 'audit'");
  const setCursor = db.prepare(
    "INSERT INTO notification_cursor (name, seq) VALUES ('audit', ?) ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq)",
  );
  const auditAfter = db.prepare('SELECT seq, at, action, key_id, detail FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?');
  const keyHistory = db.prepare(
    "SELECT detail FROM audit_log WHERE key_id = ? AND action IN ('key.created', 'key.imported', 'key.deleted') ORDER BY seq DESC LIMIT 1",
  );

  const insertNotification = db.prepare(`INSERT INTO notifications (id, event, key_id, owner, title, body, facts, audit_seq, in_app, created_at)
    VALUES (@id, @event, @key_id, @owner, @title, @body, @facts, @audit_seq, @in_app, @created_at) ON CONFLICT DO NOTHING`);
  const byId = db.prepare('SELECT * FROM notifications WHERE id = ?');
  const page = db.prepare(`SELECT * FROM notifications
    WHERE in_app = 1 AND (@unread = 0 OR read_at IS NULL) AND (@keyId IS NULL OR key_id = @keyId)
    ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`);
  const unread = db.prepare('SELECT count(*) AS n FROM notifications WHERE in_app = 1 AND read_at IS NULL');
  const markRead = db.prepare('UPDATE notifications SET read_at = @at WHERE id = @id AND read_at IS NULL');
  const markAllRead = db.prepare('UPDATE notifications SET read_at = @at WHERE in_app = 1 AND read_at IS NULL');

  const insertMark = db.prepare(`INSERT INTO reminder_marks (key_id, expires_at, days_before, notification_id)
    VALUES (@key_id, @expires_at, @days_before, @notification_id) ON CONFLICT DO NOTHING`);
  const marks = db.prepare('SELECT days_before FROM reminder_marks WHERE key_id = ? AND expires_at = ?');

  const insertDelivery = db.prepare(`INSERT INTO deliveries (notification_id, channel, target, secret_ref, status, next_attempt_at)
    VALUES (@notification_id, @channel, @target, @secret_ref, 'pending', @next_attempt_at) ON CONFLICT DO NOTHING`);
  const deliveriesOf = db.prepare('SELECT * FROM deliveries WHERE notification_id = ? ORDER BY id');
  // A lease further ahead than any we hand out means the clock was set back: treat it as expired.
  const due = db.prepare(`SELECT * FROM deliveries
    WHERE status = 'pending' AND next_attempt_at <= @now AND channel IN (SELECT value FROM json_each(@channels))
      AND (claimed_until IS NULL OR claimed_until <= @now OR claimed_until > @lease_until)
    ORDER BY next_attempt_at, id LIMIT @limit`);
  const claim = db.prepare('UPDATE deliveries SET claimed_until = @until WHERE id = @id');
  const sent = db.prepare("UPDATE deliveries SET status = 'sent', sent_at = @at, attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE id = @id");
  const failed = db.prepare(
    'UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error, target = coalesce(@target, target), claimed_until = NULL WHERE id = @id',
  );
  const cancel = db.prepare("UPDATE deliveries SET status = 'cancelled', last_error = @reason, claimed_until = NULL WHERE id = @id");
  const release = db.prepare('UPDATE deliveries SET claimed_until = NULL WHERE id = @id');
  const pending = db.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND channel IN (SELECT value FROM json_each(?))");

  const secret = db.prepare('SELECT sealed FROM notification_secrets WHERE id = ?');
  const putSecret = db.prepare(
    'INSERT INTO notification_secrets (id, sealed, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at',
  );
  const removeSecret = db.prepare('DELETE FROM notification_secrets WHERE id = ?');
  const secretIds = db.prepare('SELECT id FROM notification_secrets ORDER BY id');

  return {
    auditCursor(): number {
      return (cursor.get() as { seq: number } | undefined)?.seq ?? 0;
    },
    /** Never moves backwards, so a slower second process cannot rewind the first one's progress. */
    setAuditCursor(seq: number): void {
      setCursor.run(seq);
    },
    auditAfter(seq: number, limit: number): AuditEvent[] {
      const rows = auditAfter.all(seq, limit) as { seq: number; at: string; action: string; key_id: string | null; detail: string }[];
      return rows.map((row) => ({ seq: row.seq, at: new Date(row.at), action: row.action, keyId: row.key_id, detail: JSON.parse(row.detail) as Record<string, unknown> }));
    },
    /** What the log last said about a key's labels: the only record left once a key is deleted. */
    keyHistory(keyId: string): Record<string, unknown> | undefined {
      const row = keyHistory.get(keyId) as { detail: string } | undefined;
      return row ? (JSON.parse(row.detail) as Record<string, unknown>) : undefined;
    },

    /** False when the notification already exists (its audit row was announced by another run). */
    insert(record: NotificationRecord): boolean {
      const result = insertNotification.run({
        id: record.id,
        event: record.event,
        key_id: record.keyId,
        owner: record.owner,
        title: record.title,
        body: record.body,
        facts: JSON.stringify(record.facts),
        audit_seq: record.auditSeq,
        in_app: record.inApp ? 1 : 0,
        created_at: record.createdAt.toISOString(),
      });
      return result.changes === 1;
    },
    get(id: string): NotificationRecord | undefined {
      const row = byId.get(id) as NotificationRow | undefined;
      return row ? toNotification(row) : undefined;
    },
    /** The in-app center, newest first. */
    list(filter: { unread?: boolean; keyId?: string; limit?: number; offset?: number } = {}): NotificationRecord[] {
      const rows = page.all({ unread: filter.unread ? 1 : 0, keyId: filter.keyId ?? null, limit: filter.limit ?? 200, offset: filter.offset ?? 0 });
      return (rows as NotificationRow[]).map(toNotification);
    },
    unreadCount(): number {
      return (unread.get() as { n: number }).n;
    },
    markRead(ids: string[], at: Date): number {
      return ids.reduce((count, id) => count + markRead.run({ id, at: at.toISOString() }).changes, 0);
    },
    markAllRead(at: Date): number {
      return markAllRead.run({ at: at.toISOString() }).changes;
    },

    /** False when this (key, expiry, offset) was already recorded: the reminder must not be sent again. */
    markReminder(keyId: string, expiresAt: Date, daysBefore: number, notificationId: string): boolean {
      const result = insertMark.run({ key_id: keyId, expires_at: expiresAt.toISOString(), days_before: daysBefore, notification_id: notificationId });
      return result.changes === 1;
    },
    markedOffsets(keyId: string, expiresAt: Date): number[] {
      return (marks.all(keyId, expiresAt.toISOString()) as { days_before: number }[]).map((row) => row.days_before);
    },

    queueDelivery(input: { notificationId: string; channel: DeliveryChannelName; target: string; secretRef: string | null; nextAttemptAt: Date }): void {
      insertDelivery.run({
        notification_id: input.notificationId,
        channel: input.channel,
        target: input.target,
        secret_ref: input.secretRef,
        next_attempt_at: input.nextAttemptAt.toISOString(),
      });
    },
    deliveriesOf(notificationId: string): DeliveryRecord[] {
      return (deliveriesOf.all(notificationId) as DeliveryRow[]).map(toDelivery);
    },
    /** Pending deliveries due at `now` that nobody holds a lease on. Call inside a transaction with `claim`. */
    due(now: Date, leaseUntil: Date, channels: DeliveryChannelName[], limit: number): DeliveryRecord[] {
      const rows = due.all({ now: now.toISOString(), lease_until: leaseUntil.toISOString(), channels: JSON.stringify(channels), limit });
      return (rows as DeliveryRow[]).map(toDelivery);
    },
    claim(id: number, until: Date): void {
      claim.run({ id, until: until.toISOString() });
    },
    release(id: number): void {
      release.run({ id });
    },
    markSent(id: number, at: Date): void {
      sent.run({ id, at: at.toISOString() });
    },
    /** `target`: what is still owed, when only part of it failed (e-mail recipients the server refused). */
    markFailed(id: number, error: string, nextAttemptAt: Date, target?: string): void {
      failed.run({ id, error, next: nextAttemptAt.toISOString(), target: target ?? null });
    },
    cancel(id: number, reason: string): void {
      cancel.run({ id, reason });
    },
    pendingCount(channels: DeliveryChannelName[]): number {
      return (pending.get(JSON.stringify(channels)) as { n: number }).n;
    },

    sealedSecret(id: string): Buffer | undefined {
      return (secret.get(id) as { sealed: Buffer } | undefined)?.sealed;
    },
    putSealedSecret(id: string, sealed: Buffer, at: Date): void {
      putSecret.run(id, sealed, at.toISOString());
    },
    removeSecret(id: string): void {
      removeSecret.run(id);
    },
    secretIds(): string[] {
      return (secretIds.all() as { id: string }[]).map((row) => row.id);
    },
  };
}

export type NotificationsRepository = ReturnType<typeof notificationsRepository>;
