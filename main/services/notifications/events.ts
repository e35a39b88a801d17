import { randomBytes } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import type { KeyRecord } from '../../store/keys.ts';
import type { AuditEvent, NotificationRecord, NotificationsRepository } from '../../store/notifications.ts';
import type { NotificationEvent, NotificationFacts } from '../notification-views.ts';
import type { Session } from '../session.ts';
import { effectiveChannels, type EffectiveChannels } from './config.ts';
import { daysUntil, notificationText } from './messages.ts';
import { notificationsOf } from './repository.ts';
import type { StoredConfig } from './schemas.ts';

// Working out what is due: status changes read from the audit log after a cursor, and expiry reminders
// computed from the keys. Both happen in one immediate transaction, and each notification is guarded by
// a UNIQUE constraint (the audit seq; the key, expiry and offset), so however many processes run and
// however the clock moves, each is made once.

const DAY_MS = 86_400_000;
const AUDIT_BATCH = 500;

/** Audit actions announced as status changes. Anything else in the log (exports, settings) is not. */
const STATUS_EVENTS: Record<string, NotificationEvent> = {
  'key.created': 'key.created',
  'key.imported': 'key.imported',
  'key.activated': 'key.activated',
  'key.revoked': 'key.revoked',
  'key.deleted': 'key.deleted',
  'key.rotated': 'key.secret-rotated',
  'key.secret-rotated': 'key.secret-rotated',
};

export function newNotificationId(): string {
  return `n_${randomBytes(8).toString('hex')}`;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function factsOfKey(record: KeyRecord): NotificationFacts {
  return {
    kid: record.kid,
    keyName: record.name,
    owner: record.owner,
    environment: record.environment,
    keyType: record.type,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    hasPrivate: record.privateSealed !== null,
  };
}

/** Labels from an audit detail (a deleted key has nothing else left). */
function factsOfDetail(detail: Record<string, unknown>): NotificationFacts {
  return {
    kid: text(detail.kid),
    keyName: text(detail.name),
    owner: text(detail.owner) ?? '',
    environment: text(detail.environment) ?? '',
    keyType: text(detail.type),
    expiresAt: text(detail.expiresAt),
    ...(typeof detail.hasPrivate === 'boolean' && { hasPrivate: detail.hasPrivate }),
  };
}

function factsOfAudit(session: Session, repository: NotificationsRepository, event: AuditEvent, kind: NotificationEvent): NotificationFacts {
  const record = event.keyId === null ? undefined : session.keys.get(event.keyId);
  const history = event.keyId === null ? undefined : repository.keyHistory(event.keyId);
  const base = record ? factsOfKey(record) : factsOfDetail({ ...history, ...event.detail });
  if (kind !== 'key.revoked') return base;
  return {
    ...base,
    reason: text(event.detail.reason) ?? 'unspecified',
    ...(text(event.detail.effectiveAt) !== null && { effectiveAt: text(event.detail.effectiveAt) ?? '' }),
  };
}

/** Records a notification and queues one delivery per outside channel its owner has on. */
function announce(
  repository: NotificationsRepository,
  channels: EffectiveChannels,
  input: { event: NotificationEvent; keyId: string | null; facts: NotificationFacts; auditSeq: number | null; now: Date; happenedAt?: Date },
): NotificationRecord | undefined {
  const { title, body } = notificationText(input.event, input.facts, input.now);
  const record: NotificationRecord = {
    id: newNotificationId(),
    event: input.event,
    keyId: input.keyId,
    owner: input.facts.owner,
    title,
    body,
    facts: { ...input.facts },
    auditSeq: input.auditSeq,
    inApp: channels.inApp,
    // Stamped with when it happened (a revocation made while no scheduler ran), not when it was noticed.
    createdAt: input.happenedAt ?? input.now,
    readAt: null,
  };
  if (!repository.insert(record)) return undefined;
  const queue = (channel: 'os' | 'email' | 'webhook', target: string, secretRef: string | null) =>
    repository.queueDelivery({ notificationId: record.id, channel, target, secretRef, nextAttemptAt: input.now });
  if (channels.os) queue('os', '', null);
  if (channels.emailTo.length > 0) queue('email', channels.emailTo.join(', '), null);
  if (channels.webhookUrl !== null) queue('webhook', channels.webhookUrl, channels.webhookSecretId);
  return record;
}

function collectStatusChanges(session: Session, repository: NotificationsRepository, config: StoredConfig, now: Date): NotificationRecord[] {
  const created: NotificationRecord[] = [];
  let cursor = repository.auditCursor();
  for (;;) {
    const events = repository.auditAfter(cursor, AUDIT_BATCH);
    for (const event of events) {
      const kind = STATUS_EVENTS[event.action];
      if (kind === undefined) continue;
      const facts = factsOfAudit(session, repository, event, kind);
      const record = announce(repository, effectiveChannels(config, facts.owner), { event: kind, keyId: event.keyId, facts, auditSeq: event.seq, now, happenedAt: event.at });
      if (record) created.push(record);
    }
    const last = events.at(-1);
    if (last === undefined) break;
    cursor = last.seq;
    repository.setAuditCursor(cursor);
    if (events.length < AUDIT_BATCH) break;
  }
  return created;
}

/**
 * Reminder offsets (days before expiry; 0 = the expiry itself) that are due and not yet covered. An
 * offset larger than one already sent is moot (the more urgent message has gone out), and so is one
 * the key never lived through (a key made 40 days before its expiry gets no 90-day reminder).
 */
export function dueOffsets(key: { createdAt: Date; expiresAt: Date }, now: Date, offsets: number[], marked: number[]): number[] {
  const sentFloor = marked.length > 0 ? Math.min(...marked) : Infinity;
  const dueAt = (days: number) => key.expiresAt.getTime() - days * DAY_MS;
  return [...new Set([...offsets, 0])]
    .filter((days) => days < sentFloor && now.getTime() >= dueAt(days) && (days === 0 || key.createdAt.getTime() <= dueAt(days)))
    .sort((a, b) => b - a);
}

function collectReminders(session: Session, repository: NotificationsRepository, config: StoredConfig, now: Date): NotificationRecord[] {
  const created: NotificationRecord[] = [];
  for (const key of session.keys.list()) {
    // Revoked keys (even revoked "from" a future moment) get no reminders: nobody should renew them.
    if (key.expiresAt === null || key.status === 'revoked') continue;
    const due = dueOffsets({ createdAt: key.createdAt, expiresAt: key.expiresAt }, now, config.reminderDays, repository.markedOffsets(key.id, key.expiresAt));
    const mostUrgent = due.at(-1);
    if (mostUrgent === undefined) continue;
    // After a long gap several offsets are due at once: one message stands for all of them.
    const facts: NotificationFacts = {
      ...factsOfKey(key),
      daysBefore: mostUrgent,
      covers: due,
      daysLeft: daysUntil(key.expiresAt, now),
    };
    const record = announce(repository, effectiveChannels(config, key.owner), { event: mostUrgent === 0 ? 'key.expired' : 'key.expiring', keyId: key.id, facts, auditSeq: null, now });
    if (!record) continue;
    for (const days of due) repository.markReminder(key.id, key.expiresAt, days, record.id);
    created.push(record);
  }
  return created;
}

/** Everything due at `now`, recorded and queued in one transaction. Returns what this call made. */
export function collectDue(session: Session, config: StoredConfig, now: Date): NotificationRecord[] {
  const repository = notificationsOf(session);
  return session.transaction(() => [
    ...collectStatusChanges(session, repository, config, now),
    ...collectReminders(session, repository, config, now),
  ]);
}

/** A one-off notification outside the schedule (channel tests), to the channels given: recorded and queued like any other. */
export function announceNow(session: Session, channels: EffectiveChannels, event: NotificationEvent, facts: NotificationFacts, now: Date): NotificationRecord {
  const repository = notificationsOf(session);
  const record = session.transaction(() => announce(repository, channels, { event, keyId: null, facts, auditSeq: null, now }));
  if (!record) throw new SignetError('ERR_INTERNAL', 'a new notification id collided with an old one; run the command again');
  return record;
}
