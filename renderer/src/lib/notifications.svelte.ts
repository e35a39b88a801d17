import { call } from './api.ts';

/** The unread count the top bar shows; the notifications view refreshes it after each change. */
export class NotificationCount {
  unread = $state(0);

  async refresh(): Promise<void> {
    try {
      this.unread = (await call('notifications.unreadCount', {})).unread;
    } catch {
      // The count is a hint: a failed poll keeps the last one rather than alarming the user.
    }
  }

  set(unread: number): void {
    this.unread = unread;
  }
}

export const notificationCount = new NotificationCount();
