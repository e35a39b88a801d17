import type { NotificationRecord } from '../../store/notifications.ts';
import type { DueNotificationView, NotificationsDueView } from '../notification-views.ts';
import type { Session } from '../session.ts';
import { readConfig } from './config.ts';
import { collectDue } from './events.ts';
import { notificationView } from './in-app.ts';

// What a run would record now, changing nothing: the run's own collection (collectDue) inside a
// transaction that is always rolled back, so the preview cannot drift from what a run records. It
// appends no audit rows, so it also answers at the CLI's --now (whose audit log refuses them).

/** Thrown out of the preview's transaction to roll it back, carrying what was collected in it. */
class RolledBack extends Error {
  constructor(readonly due: DueNotificationView[]) {
    super('notifications.due rolls back what it collected');
  }
}

function dueView(session: Session, record: NotificationRecord): DueNotificationView {
  const { id: _id, readAt: _readAt, deliveries, ...notice } = notificationView(session, record);
  return { ...notice, deliveries: deliveries.map(({ channel, target }) => ({ channel, target })) };
}

export function notificationsDue(session: Session): NotificationsDueView {
  const now = session.clock();
  const config = readConfig(session);
  try {
    return session.transaction(() => {
      // The views are read inside the transaction: the rows they come from are gone after it.
      throw new RolledBack(collectDue(session, config, now).map((record) => dueView(session, record)));
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
    return { at: now.toISOString(), due: error.due };
  }
}
