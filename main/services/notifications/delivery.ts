import { SignetError } from '../../core/errors.ts';
import type { DeliveryChannelName, DeliveryRecord, NotificationRecord } from '../../store/notifications.ts';
import type { DeliveryFailureView } from '../notification-views.ts';
import type { Session } from '../session.ts';
import { openSecret, SMTP_PASSWORD_ID, webhookSecretId } from './config.ts';
import { emailFor, emailSender, type EmailSender, type Refusal } from './email.ts';
import { showOsNotices, type OsNotifier } from './os.ts';
import { notificationsOf } from './repository.ts';
import { isFromAddress, type StoredConfig } from './schemas.ts';
import { postWebhook } from './webhook.ts';

// Sending what is queued. A delivery is claimed with a lease inside a transaction before anything goes
// out, so two processes never send the same one; the outcome is recorded as soon as it is known. A
// failure stays queued with its error and is retried after an exponentially growing delay.

/** Longer than a batch can take to send (each message times out after 15 s per phase). */
const LEASE_MS = 60 * 60_000;
/** Deliveries claimed per run; the rest wait for the next run (cron every few minutes is plenty). */
const BATCH = 100;
const FIRST_RETRY_MS = 5 * 60_000;
const MAX_RETRY_MS = 12 * 60 * 60_000;

/** Delay before attempt `attempts + 1`: 5 min, 10, 20, 40 … capped at 12 h. A delivery is never dropped. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface DeliveryOutcome {
  delivered: number;
  failed: DeliveryFailureView[];
  cancelled: number;
}

export interface DeliverOptions {
  os?: OsNotifier;
  /** Only these notifications' deliveries (a channel test), whether or not others are due. */
  notificationIds?: string[];
}

interface Claimed {
  delivery: DeliveryRecord;
  notification: NotificationRecord;
}

const REMINDERS = new Set(['key.expiring', 'key.expired']);

/** Why a queued reminder must not go out any more, if it must not. */
function staleReminder(session: Session, notification: NotificationRecord): string | undefined {
  if (!REMINDERS.has(notification.event) || notification.keyId === null) return undefined;
  const key = session.keys.get(notification.keyId);
  if (!key) return 'not sent: the key was deleted before the reminder went out';
  if (key.status === 'revoked') return 'not sent: the key was revoked before the reminder went out';
  if ((key.expiresAt?.toISOString() ?? null) !== notification.facts.expiresAt) return 'not sent: the key has a new expiry since';
  return undefined;
}

function needsSecret(delivery: DeliveryRecord, config: StoredConfig): boolean {
  return delivery.channel === 'webhook' || (delivery.channel === 'email' && (config.smtp?.user ?? null) !== null);
}

function claim(session: Session, config: StoredConfig, now: Date, channels: DeliveryChannelName[], options: DeliverOptions): { claimed: Claimed[]; cancelled: number } {
  const repository = notificationsOf(session);
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
  return session.transaction(() => {
    const candidates = options.notificationIds
      ? options.notificationIds.flatMap((id) => repository.deliveriesOf(id)).filter((delivery) => delivery.status === 'pending' && (delivery.claimedUntil === null || delivery.claimedUntil <= now))
      : repository.due(now, leaseUntil, channels, BATCH);
    const claimed: Claimed[] = [];
    let cancelled = 0;
    for (const delivery of candidates) {
      const notification = repository.get(delivery.notificationId);
      if (!notification || !channels.includes(delivery.channel)) continue;
      const stale = staleReminder(session, notification);
      if (stale) {
        repository.cancel(delivery.id, stale);
        cancelled++;
        continue;
      }
      // Locked (a desktop timer before the user unlocks): leave it queued, untouched, for later.
      if (!session.unlocked && needsSecret(delivery, config)) continue;
      repository.claim(delivery.id, leaseUntil);
      claimed.push({ delivery, notification });
    }
    return { claimed, cancelled };
  });
}

/** A delivery error as stored and shown: one line, no credentials (they are scrubbed if a library echoed them). */
function failureText(error: unknown, secrets: string[]): string {
  let message: string;
  if (error instanceof SignetError) message = error.message;
  else {
    const { code, message: raw } = error as { code?: unknown; message?: unknown };
    message = `${typeof code === 'string' ? `${code}: ` : ''}${typeof raw === 'string' ? raw.split('\n')[0] : 'failed'}`;
  }
  for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('[redacted]');
  return message.slice(0, 300);
}

function refusalText(refused: Refusal[]): string {
  return `the SMTP server refused ${refused.map(({ address, reply }) => `${address} (${reply})`).join(', ')}`;
}

/** Errors that mean the SMTP server cannot be reached at all: the rest of the batch would only repeat them. */
const CONNECTION_ERRORS = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EAUTH', 'ETLS']);

export async function deliverDue(session: Session, config: StoredConfig, now: Date, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const repository = notificationsOf(session);
  const channels: DeliveryChannelName[] = options.os ? ['os', 'email', 'webhook'] : ['email', 'webhook'];
  const { claimed, cancelled } = claim(session, config, now, channels, options);
  const outcome: DeliveryOutcome = { delivered: 0, failed: [], cancelled };
  const secrets: string[] = [];

  /** `stillOwed`: the part of the target that must be tried again, when the rest was served. */
  const record = (delivery: DeliveryRecord, error: unknown | undefined, stillOwed?: string): void => {
    if (error === undefined) {
      session.transaction(() => repository.markSent(delivery.id, now));
      outcome.delivered++;
      return;
    }
    const attempts = delivery.attempts + 1;
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts));
    const text = failureText(error, secrets);
    session.transaction(() => repository.markFailed(delivery.id, text, nextAttemptAt, stillOwed));
    outcome.failed.push({ notificationId: delivery.notificationId, channel: delivery.channel, error: text, attempts, nextAttemptAt: nextAttemptAt.toISOString() });
  };

  const os = claimed.filter(({ delivery }) => delivery.channel === 'os');
  if (os.length > 0 && options.os) {
    let error: unknown;
    try {
      await showOsNotices(options.os, os.map(({ notification }) => notification));
    } catch (caught) {
      error = caught ?? new Error('failed');
    }
    for (const { delivery } of os) record(delivery, error);
  }

  let sender: EmailSender | undefined;
  let unreachable: unknown;
  try {
    for (const { delivery, notification } of claimed) {
      if (delivery.channel === 'os') continue;
      try {
        if (delivery.channel === 'email') {
          if (unreachable !== undefined) throw unreachable;
          sender ??= openSender(session, config, secrets);
          const refused = await sender.send(emailFor(notification, delivery.target, now));
          if (refused.length > 0) {
            // The others have it: only the refused stay queued, so a retry sends nobody a second copy.
            record(delivery, new SignetError('ERR_DELIVERY', refusalText(refused)), refused.map(({ address }) => address).join(', '));
            continue;
          }
        } else {
          const secretId = delivery.secretRef ?? webhookSecretId(undefined);
          const secret = openSecret(session, secretId);
          if (secret === undefined) throw new SignetError('ERR_DELIVERY', 'no signing secret for this webhook: run "signet notify config set --rotate-webhook-secret"');
          secrets.push(secret);
          await postWebhook(delivery.target, notification, secret, now);
        }
        record(delivery, undefined);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (delivery.channel === 'email' && typeof code === 'string' && CONNECTION_ERRORS.has(code)) unreachable = error;
        record(delivery, error);
      }
    }
  } finally {
    sender?.close();
  }
  return outcome;
}

function openSender(session: Session, config: StoredConfig, secrets: string[]): EmailSender {
  const smtp = config.smtp;
  if (!smtp) throw new SignetError('ERR_DELIVERY', 'no SMTP server is configured: run "signet notify config set --smtp-host HOST …"');
  if (!isFromAddress(smtp.from)) {
    throw new SignetError('ERR_DELIVERY', 'the SMTP From setting is not one address on one line (a line break would add mail headers): set it again (Settings › SMTP server, or signet notify config set --smtp-from ADDRESS)');
  }
  const password = smtp.user === null ? undefined : openSecret(session, SMTP_PASSWORD_ID);
  if (smtp.user !== null && password === undefined) {
    throw new SignetError('ERR_DELIVERY', `no password is stored for SMTP user ${smtp.user}: set it again (Settings › SMTP server, or signet notify config set --smtp-password-file F)`);
  }
  if (password !== undefined) secrets.push(password);
  return emailSender(smtp, password);
}
