import { SignetError } from '../../core/errors.ts';
import type { DeliveryRecord, NotificationRecord } from '../../store/notifications.ts';
import type { DeliveryView, NotificationEvent, NotificationFacts, NotificationView } from '../notification-views.ts';
import type { Session } from '../session.ts';
import { notificationsOf } from './repository.ts';

// The in-app notification center: the notification rows themselves, newest first, with an unread
// count and "mark read". Each carries its outside deliveries, so a failed e-mail shows with its error.

function deliveryView(delivery: DeliveryRecord): DeliveryView {
  return {
    channel: delivery.channel,
    target: delivery.target,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    lastError: delivery.lastError,
    sentAt: delivery.sentAt?.toISOString() ?? null,
  };
}

export function notificationView(session: Session, record: NotificationRecord): NotificationView {
  return {
    id: record.id,
    event: record.event as NotificationEvent,
    keyId: record.keyId,
    title: record.title,
    body: record.body,
    // Written by this service from NotificationFacts (events.ts); read back as such.
    facts: record.facts as unknown as NotificationFacts,
    inApp: record.inApp,
    createdAt: record.createdAt.toISOString(),
    readAt: record.readAt?.toISOString() ?? null,
    deliveries: notificationsOf(session).deliveriesOf(record.id).map(deliveryView),
  };
}

export interface ListNotificationsInput {
  unread?: boolean;
  /** A key id, kid or AppId; a deleted key's id still finds its notices. */
  key?: string;
  limit?: number;
  offset?: number;
}

export function listNotifications(session: Session, input: ListNotificationsInput = {}): NotificationView[] {
  const keyId = input.key === undefined ? undefined : ((session.keys.get(input.key) ?? session.keys.byKid(input.key) ?? session.keys.byAppId(input.key))?.id ?? input.key);
  return notificationsOf(session)
    .list({
      ...(input.unread !== undefined && { unread: input.unread }),
      ...(keyId !== undefined && { keyId }),
      ...(input.limit !== undefined && { limit: input.limit }),
      ...(input.offset !== undefined && { offset: input.offset }),
    })
    .map((record) => notificationView(session, record));
}

export function unreadCount(session: Session): { unread: number } {
  return { unread: notificationsOf(session).unreadCount() };
}

export function markRead(session: Session, input: { ids?: string[]; all?: boolean }): { marked: number; unread: number } {
  const repository = notificationsOf(session);
  const now = session.clock();
  const unknown = (input.ids ?? []).find((id) => repository.get(id) === undefined);
  if (unknown !== undefined) throw new SignetError('ERR_NOT_FOUND', `no notification "${unknown}" (signet notify list shows their ids)`);
  const marked = session.transaction(() => (input.all ? repository.markAllRead(now) : repository.markRead(input.ids ?? [], now)));
  return { marked, unread: repository.unreadCount() };
}
