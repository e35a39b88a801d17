// The notification services' public surface: the scheduler and its preview, the in-app center, settings,
// and the pieces a host or a webhook receiver needs (the OS notifier interface, the signature check).
export { configView, exportWebhookSecret, readConfig, updateConfig } from './config.ts';
export { retryDelayMs } from './delivery.ts';
export { notificationsDue } from './due.ts';
export { listNotifications, markRead, unreadCount, type ListNotificationsInput } from './in-app.ts';
export { osNotifierFor, registerOsNotifier, type OsNotice, type OsNotifier } from './os.ts';
export { runNotifications, startNotificationTimer, testChannel, type NotificationTimer, type RunOptions } from './scheduler.ts';
export { configPatchSchema, notifyChannelSchema, type ConfigPatch } from './schemas.ts';
export { SIGNATURE_HEADER, verifyWebhookSignature, webhookSignature } from './webhook.ts';
