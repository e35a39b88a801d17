import { SignetError } from '../../core/errors.ts';
import type { NotificationChannel, NotificationRunView, NotificationTestView } from '../notification-views.ts';
import type { Session } from '../session.ts';
import { effectiveChannels, readConfig } from './config.ts';
import { deliverDue } from './delivery.ts';
import { announceNow, collectDue } from './events.ts';
import { notificationView } from './in-app.ts';
import type { OsNotifier } from './os.ts';
import { notificationsOf } from './repository.ts';

// One scheduler run: record what is due at the session's clock (status changes since the audit
// cursor, reminders), then send what is queued and due. Safe to repeat and to run from several
// processes at once; `signet notify run` is this, once, from cron.

export interface RunOptions {
  /** The desktop host's notifier; without one, OS deliveries stay queued for the host. */
  os?: OsNotifier;
  /**
   * 'fail' (CLI, contract): a locked keystore that holds channel credentials is an ERR_LOCKED before
   * anything happens, so the caller can unlock and run once. 'skip' (desktop timer): deliveries that
   * need a credential wait, untouched, until the keystore is unlocked.
   */
  whenLocked?: 'fail' | 'skip';
}

export async function runNotifications(session: Session, options: RunOptions = {}): Promise<NotificationRunView> {
  const now = session.clock();
  const repository = notificationsOf(session);
  if ((options.whenLocked ?? 'fail') === 'fail' && repository.secretIds().length > 0) session.requireUnlocked();
  const config = readConfig(session);
  const created = collectDue(session, config, now);
  const outcome = await deliverDue(session, config, now, { ...(options.os && { os: options.os }) });
  return {
    at: now.toISOString(),
    created: created.map((record) => notificationView(session, record)),
    delivered: outcome.delivered,
    failed: outcome.failed,
    queued: repository.pendingCount(options.os ? ['os', 'email', 'webhook'] : ['email', 'webhook']),
    waitingForDesktop: options.os ? 0 : repository.pendingCount(['os']),
    cancelled: outcome.cancelled,
  };
}

export interface NotificationTimer {
  /** Runs now (or joins the run in progress): call it after an unlock to send what waited for credentials. */
  runNow(): Promise<void>;
  stop(): void;
}

/**
 * Runs the scheduler now and then every `everyMs` for a long-lived host (the desktop app). Runs never
 * overlap; the timer does not keep the process alive; a locked keystore only delays what needs a credential.
 */
export function startNotificationTimer(session: Session, options: { everyMs?: number; os?: OsNotifier; onError?: (error: unknown) => void } = {}): NotificationTimer {
  let inFlight: Promise<void> | undefined;
  const runNow = (): Promise<void> => {
    inFlight ??= runNotifications(session, { whenLocked: 'skip', ...(options.os && { os: options.os }) })
      .then(() => undefined, (error: unknown) => options.onError?.(error))
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
  void runNow();
  const timer = setInterval(() => void runNow(), options.everyMs ?? 5 * 60_000);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}

/**
 * Sends a test notification through one channel now, to the targets configured for `owner` (or the
 * defaults). A failed test is reported, not retried.
 */
export async function testChannel(session: Session, input: { channel: NotificationChannel; owner?: string }, os?: OsNotifier): Promise<NotificationTestView> {
  const config = readConfig(session);
  const owner = input.owner ?? '';
  const scope = input.owner === undefined ? 'the defaults' : `owner "${owner}"`;
  const configured = effectiveChannels(config, owner);
  const { channel } = input;
  if (channel === 'email' && configured.emailTo.length === 0) {
    throw new SignetError('ERR_BAD_INPUT', `e-mail is off or has no recipients for ${scope}: add addresses under "E-mail to" in the notification settings (or: signet notify config set --email-to ADDRESS)`);
  }
  if (channel === 'webhook' && configured.webhookUrl === null) {
    throw new SignetError('ERR_BAD_INPUT', `the webhook is off or has no URL for ${scope} (signet notify config set --webhook-url URL)`);
  }
  if (channel === 'os' && !os) {
    throw new SignetError('ERR_BAD_INPUT', 'OS notifications are shown by the desktop app; test them from there (this process cannot show them)');
  }
  if (channel === 'webhook' || (channel === 'email' && config.smtp?.user)) session.requireUnlocked();

  const now = session.clock();
  const only = {
    inApp: channel === 'in-app',
    os: channel === 'os',
    emailTo: channel === 'email' ? configured.emailTo : [],
    webhookUrl: channel === 'webhook' ? configured.webhookUrl : null,
    webhookSecretId: configured.webhookSecretId,
  };
  const facts = { kid: null, keyName: null, owner, environment: '', keyType: null, expiresAt: null };
  const record = announceNow(session, only, 'test', facts, now);
  if (channel === 'in-app') return { channel, notificationId: record.id, delivered: true, error: null };

  const outcome = await deliverDue(session, config, now, { notificationIds: [record.id], ...(os && { os }) });
  const failure = outcome.failed[0];
  if (failure) {
    const repository = notificationsOf(session);
    session.transaction(() => {
      for (const delivery of repository.deliveriesOf(record.id)) if (delivery.status === 'pending') repository.cancel(delivery.id, `${failure.error} (a test is not retried)`);
    });
  }
  return { channel, notificationId: record.id, delivered: outcome.delivered > 0, error: failure?.error ?? null };
}
