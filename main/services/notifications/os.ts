import type { NotificationRecord } from '../../store/notifications.ts';
import type { Session } from '../session.ts';
import { label } from './messages.ts';

// OS notifications are shown by the desktop host (Electron's Notification); services never import
// Electron. The host registers an OsNotifier for its session; a process without one (the CLI from
// cron, browser mode) leaves OS deliveries queued until the desktop app runs.

export interface OsNotice {
  title: string;
  body: string;
  /** The in-app notification to open on click, or null for a summary of several. */
  notificationId: string | null;
}

export interface OsNotifier {
  show(notice: OsNotice): void | Promise<void>;
}

const notifiers = new WeakMap<Session, OsNotifier>();

/** Called by the desktop host once its session is open; `undefined` unregisters. */
export function registerOsNotifier(session: Session, notifier: OsNotifier | undefined): void {
  if (notifier) notifiers.set(session, notifier);
  else notifiers.delete(session);
}

export function osNotifierFor(session: Session): OsNotifier | undefined {
  return notifiers.get(session);
}

/** Above this many at once (the app was closed for a while), one summary banner instead of a stack. */
export const OS_BATCH_LIMIT = 3;

function noticeOf(notification: NotificationRecord): OsNotice {
  const facts = notification.facts;
  const parts = [
    typeof facts.kid === 'string' ? `kid ${label(facts.kid)}` : undefined,
    typeof facts.owner === 'string' && facts.owner ? `owner ${label(facts.owner)}` : undefined,
    typeof facts.environment === 'string' && facts.environment ? label(facts.environment) : undefined,
  ].filter((part): part is string => part !== undefined);
  return { title: notification.title, body: parts.join(' · ') || 'Signet', notificationId: notification.id };
}

export async function showOsNotices(notifier: OsNotifier, notifications: NotificationRecord[]): Promise<void> {
  if (notifications.length === 0) return;
  if (notifications.length <= OS_BATCH_LIMIT) {
    for (const notification of notifications) await notifier.show(noticeOf(notification));
    return;
  }
  const titles = notifications.slice(0, OS_BATCH_LIMIT).map((notification) => notification.title);
  const more = notifications.length - titles.length;
  await notifier.show({
    title: `${notifications.length} new notifications from Signet`,
    body: `${titles.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`,
    notificationId: null,
  });
}
