// What the notification services hand to adapters and the renderer: plain JSON, ISO 8601 times, no
// Node imports (the renderer imports these through the contract).

/** What happened. Status changes come from the audit log; expiring/expired from the scheduler. */
export type NotificationEvent =
  | 'key.created'
  | 'key.imported'
  | 'key.activated'
  | 'key.revoked'
  | 'key.deleted'
  | 'key.secret-rotated'
  | 'key.expiring'
  | 'key.expired'
  | 'test';

/** Channels that leave the keystore. The in-app center is the notification row itself. */
export type DeliveryChannel = 'os' | 'email' | 'webhook';
export type NotificationChannel = 'in-app' | DeliveryChannel;
export type DeliveryStatus = 'pending' | 'sent' | 'cancelled';
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** The facts a message is made of: labels and dates, never key material. */
export interface NotificationFacts {
  kid: string | null;
  keyName: string | null;
  owner: string;
  environment: string;
  keyType: string | null;
  expiresAt: string | null;
  /** False for trust-store entries (a partner's public key): the advice differs. */
  hasPrivate?: boolean;
  /** Revocations: the reason given and the moment it took effect. */
  reason?: string;
  effectiveAt?: string;
  /** Reminders: the offset announced, and every offset this one message stands for (catch-up). */
  daysBefore?: number;
  covers?: number[];
  /** Whole days left when the reminder was made (negative once expired). */
  daysLeft?: number;
}

export interface DeliveryView {
  channel: DeliveryChannel;
  /** E-mail addresses still owed the message (those a server refused; all of them until sent), or the webhook URL (never a credential). */
  target: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next try is due (pending only). */
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
}

export interface NotificationView {
  id: string;
  event: NotificationEvent;
  keyId: string | null;
  title: string;
  body: string;
  facts: NotificationFacts;
  /** False when the owner's in-app channel is off: the row exists only to carry deliveries. */
  inApp: boolean;
  createdAt: string;
  readAt: string | null;
  deliveries: DeliveryView[];
}

export interface DeliveryFailureView {
  notificationId: string;
  channel: DeliveryChannel;
  error: string;
  attempts: number;
  nextAttemptAt: string;
}

export interface NotificationRunView {
  at: string;
  /** Notifications made by this run (status changes and reminders). */
  created: NotificationView[];
  delivered: number;
  /** Deliveries tried in this run that failed; they stay queued for `nextAttemptAt`. */
  failed: DeliveryFailureView[];
  /** Pending e-mail and webhook deliveries (failed ones waiting for their next attempt). */
  queued: number;
  /** OS notifications waiting for the desktop app (a process without one, like cron, cannot show them). */
  waitingForDesktop: number;
  cancelled: number;
}

/** A notification a run would record now (notifications.due): never stored, so it has no id, and goes nowhere yet. */
export interface DueNotificationView extends Omit<NotificationView, 'id' | 'readAt' | 'deliveries'> {
  /** Where a run would send it: each outside channel the owner has on, and its target. */
  deliveries: Pick<DeliveryView, 'channel' | 'target'>[];
}

export interface NotificationsDueView {
  at: string;
  /** What a run at `at` would record: status changes not yet announced, reminders not yet made. */
  due: DueNotificationView[];
}

export interface ChannelSettingsView {
  inApp: boolean;
  os: boolean;
  email: boolean;
  emailTo: string[];
  webhook: boolean;
  webhookUrl: string | null;
  /** Whether a signing secret is sealed for the webhook this scope posts to. */
  webhookSecretSet: boolean;
}

export interface SmtpSettingsView {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string | null;
  from: string;
  /** PEM of extra CA certificates to trust (an internal relay's). */
  caPem: string | null;
  passwordSet: boolean;
}

export interface NotificationConfigView {
  reminderDays: number[];
  smtp: SmtpSettingsView | null;
  /** For keys whose owner has no settings of its own (and for keys without an owner). */
  defaults: ChannelSettingsView;
  /** Per owner, already merged over the defaults. */
  owners: Record<string, ChannelSettingsView>;
}

export interface NotificationTestView {
  channel: NotificationChannel;
  notificationId: string;
  delivered: boolean;
  error: string | null;
}
