import { SignetError } from '../../../core/errors.ts';
import type { Input } from '../../../api/contract.ts';
import type { ChannelSettingsView, NotificationConfigView, NotificationRunView, NotificationsDueView, NotificationView, SmtpSecurity } from '../../../services/notification-views.ts';
import { defined, int, str, type Command, type Values } from '../command.ts';
import { table } from '../format.ts';
import { writeOutput } from '../io.ts';

// signet notify …: run the scheduler (from cron) or preview it, read the in-app center, configure channels, test one.

const CHANNELS = ['in-app', 'os', 'email', 'webhook'] as const;

function onOff(values: Values, name: string): boolean | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new SignetError('ERR_BAD_INPUT', `--${name} is on or off, not "${value}"`);
}

/** "a,b" → [a, b]; "none" clears. */
function listOrNone(values: Values, name: string): string[] | null | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function smtpSecurity(values: Values): SmtpSecurity | undefined {
  const value = str(values, 'smtp-security');
  if (value === undefined || value === 'tls' || value === 'starttls' || value === 'none') return value;
  throw new SignetError('ERR_BAD_INPUT', `--smtp-security is tls, starttls or none, not "${value}"`);
}

function noneOr(values: Values, name: string): string | null | undefined {
  const value = str(values, name);
  return value === 'none' ? null : value;
}

function deliveryCell(notification: NotificationView): string {
  const parts = notification.deliveries.map((delivery) => {
    if (delivery.status === 'pending') return `${delivery.channel}:queued${delivery.attempts ? `(${delivery.attempts} failed)` : ''}`;
    return `${delivery.channel}:${delivery.status}`;
  });
  return parts.join(' ') || '-';
}

/** "2027-01-01 09:30": to the minute, as tables show times. */
const minute = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

function notificationTable(notifications: NotificationView[]): string {
  if (notifications.length === 0) return 'No notifications.';
  const rows = notifications.map((notification) => [
    notification.readAt ? ' ' : '*',
    notification.id,
    minute(notification.createdAt),
    notification.event,
    notification.title,
    deliveryCell(notification),
  ]);
  const errors = notifications.flatMap((notification) =>
    notification.deliveries
      .filter((delivery) => delivery.lastError !== null)
      .map((delivery) => `  ${notification.id} ${delivery.channel}: ${delivery.lastError}${delivery.nextAttemptAt ? ` (next try ${delivery.nextAttemptAt})` : ''}`),
  );
  return [table(['', 'ID', 'CREATED', 'EVENT', 'TITLE', 'DELIVERIES'], rows), ...(errors.length ? ['', 'Delivery problems:', ...errors] : [])].join('\n');
}

function runSummary(run: NotificationRunView): string {
  const lines = [`Notifications at ${run.at}: ${run.created.length} new, ${run.delivered} delivered, ${run.failed.length} failed, ${run.queued} queued${run.cancelled ? `, ${run.cancelled} cancelled` : ''}.`];
  for (const notification of run.created) lines.push(`  new     ${notification.id}  ${notification.title}`);
  for (const failure of run.failed) {
    lines.push(`  failed  ${failure.notificationId}  ${failure.channel} (attempt ${failure.attempts}): ${failure.error}; next try ${failure.nextAttemptAt}`);
  }
  return lines.join('\n');
}

function dueText(preview: NotificationsDueView): string {
  if (preview.due.length === 0) return `Nothing due at ${preview.at}.`;
  const heading = `Due at ${preview.at}: ${preview.due.length} to record (a preview: nothing is recorded or sent).`;
  const rows = preview.due.map((notification) => [
    minute(notification.createdAt),
    notification.event,
    notification.title,
    [...(notification.inApp ? ['in-app'] : []), ...notification.deliveries.map((delivery) => delivery.channel)].join(' ') || '-',
  ]);
  return [heading, table(['CREATED', 'EVENT', 'TITLE', 'CHANNELS'], rows)].join('\n');
}

function scopeLines(name: string, scope: ChannelSettingsView): string[] {
  const on = (value: boolean) => (value ? 'on' : 'off');
  return [
    `${name}`,
    `  in-app   ${on(scope.inApp)}`,
    `  os       ${on(scope.os)}`,
    `  email    ${on(scope.email)}  to ${scope.emailTo.length ? scope.emailTo.join(', ') : '(nobody)'}`,
    `  webhook  ${on(scope.webhook)}  ${scope.webhookUrl ?? '(no URL)'}${scope.webhookUrl ? `  secret ${scope.webhookSecretSet ? 'set' : 'missing'}` : ''}`,
  ];
}

function configText(config: NotificationConfigView): string {
  const smtp = config.smtp;
  return [
    `Reminders  ${config.reminderDays.join(', ')} days before expiry, and at expiry`,
    smtp
      ? `SMTP       ${smtp.host}:${smtp.port} (${smtp.security})  from ${smtp.from}  user ${smtp.user ?? '-'}  password ${smtp.passwordSet ? 'set' : 'not set'}${smtp.caPem ? '  extra CA' : ''}`
      : 'SMTP       not configured',
    '',
    ...scopeLines('Defaults', config.defaults),
    ...Object.entries(config.owners).flatMap(([owner, scope]) => ['', ...scopeLines(`Owner ${owner}`, scope)]),
  ].join('\n');
}

export const notifyCommands: Command[] = [
  {
    name: 'notify run',
    summary: 'record due reminders and status changes, send what is queued (safe from cron; exit 1 if a delivery failed and stays queued)',
    usage: '[--json]',
    async run(ctx) {
      const run = await ctx.call('notifications.run', {});
      if (ctx.json) ctx.printJson(run);
      else ctx.print(runSummary(run));
      return run.failed.length > 0 ? 1 : 0;
    },
  },
  {
    name: 'notify due',
    summary: 'what notify run would record now, or at --now TIME (status changes, reminders); records and sends nothing',
    usage: '[--now TIME] [--json]',
    async run(ctx) {
      const preview = await ctx.call('notifications.due', {});
      if (ctx.json) ctx.printJson(preview);
      else ctx.print(dueText(preview));
    },
  },
  {
    name: 'notify list',
    summary: 'the notification center, newest first (* = unread), with delivery problems',
    usage: '[--unread] [--key ID|KID] [--limit N] [--json]',
    options: { unread: { type: 'boolean' }, key: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, values) {
      const key = str(values, 'key');
      const limit = int(values, 'limit');
      const notifications = await ctx.call('notifications.list', {
        ...(values.unread === true && { unread: true }),
        ...(key !== undefined && { key }),
        ...(limit !== undefined && { limit }),
      });
      if (ctx.json) {
        ctx.printJson(notifications);
        return;
      }
      const { unread } = await ctx.call('notifications.unreadCount', {});
      ctx.print(`${unread} unread.\n${notificationTable(notifications)}`);
    },
  },
  {
    name: 'notify read',
    summary: 'mark notifications read',
    usage: 'ID… | --all',
    options: { all: { type: 'boolean' } },
    positionals: { min: 0, max: 1000, names: 'ID…' },
    async run(ctx, values, ids) {
      const all = values.all === true;
      if (all === ids.length > 0) throw new SignetError('ERR_BAD_INPUT', 'name notification ids, or --all');
      const result = await ctx.call('notifications.markRead', all ? { all } : { ids });
      if (ctx.json) ctx.printJson(result);
      else ctx.print(`Marked ${result.marked} read; ${result.unread} unread.`);
    },
  },
  {
    name: 'notify config show',
    summary: 'notification channels per owner, SMTP server and reminder offsets (credentials shown as set or not)',
    usage: '[--json]',
    async run(ctx) {
      const config = await ctx.call('notifications.config', {});
      if (ctx.json) ctx.printJson(config);
      else ctx.print(configText(config));
    },
  },
  {
    name: 'notify config set',
    summary: 'change notification settings (channels for --owner O, or the defaults); credentials are sealed in the keystore',
    usage: [
      '[--owner O [--reset-owner]] [--in-app on|off] [--os on|off] [--email on|off] [--email-to A,B|none]',
      '[--webhook on|off] [--webhook-url URL|none] [--rotate-webhook-secret] [--webhook-secret-file F] [--webhook-secret-out FILE]',
      '[--reminder-days 90,30,7,1] [--smtp-host H] [--smtp-port N] [--smtp-security tls|starttls|none] [--smtp-user U|none]',
      '[--smtp-password-file F] [--smtp-from ADDR] [--smtp-ca-file PEM|none] [--smtp-remove]',
    ].join('\n    '),
    options: {
      owner: { type: 'string' },
      'reset-owner': { type: 'boolean' },
      'in-app': { type: 'string' },
      os: { type: 'string' },
      email: { type: 'string' },
      'email-to': { type: 'string' },
      webhook: { type: 'string' },
      'webhook-url': { type: 'string' },
      'rotate-webhook-secret': { type: 'boolean' },
      'webhook-secret-file': { type: 'string' },
      'webhook-secret-out': { type: 'string' },
      'reminder-days': { type: 'string' },
      'smtp-host': { type: 'string' },
      'smtp-port': { type: 'string' },
      'smtp-security': { type: 'string' },
      'smtp-user': { type: 'string' },
      'smtp-password-file': { type: 'string' },
      'smtp-from': { type: 'string' },
      'smtp-ca-file': { type: 'string' },
      'smtp-remove': { type: 'boolean' },
    },
    async run(ctx, values) {
      const owner = str(values, 'owner');
      if (values['reset-owner'] && owner === undefined) throw new SignetError('ERR_BAD_INPUT', '--reset-owner goes with --owner O');
      const patch: Input<'notifications.configure'> = { ...(owner !== undefined && { owner }), ...(values['reset-owner'] === true && { resetOwner: true }) };

      const channels = {
        inApp: onOff(values, 'in-app'),
        os: onOff(values, 'os'),
        email: onOff(values, 'email'),
        emailTo: listOrNone(values, 'email-to'),
        webhook: onOff(values, 'webhook'),
        webhookUrl: noneOr(values, 'webhook-url'),
      };
      if (Object.values(channels).some((value) => value !== undefined)) patch.channels = defined(channels);

      const days = listOrNone(values, 'reminder-days');
      if (days === null) throw new SignetError('ERR_BAD_INPUT', '--reminder-days needs at least one offset, e.g. 90,30,7,1');
      if (days !== undefined) {
        if (!days.every((day) => /^\d+$/.test(day))) throw new SignetError('ERR_BAD_INPUT', `--reminder-days takes whole days, e.g. 90,30,7,1`);
        patch.reminderDays = days.map(Number);
      }

      if (values['smtp-remove'] === true) patch.smtp = null;
      else {
        const security = smtpSecurity(values);
        const port = int(values, 'smtp-port');
        const passwordFile = str(values, 'smtp-password-file');
        const caFile = noneOr(values, 'smtp-ca-file');
        const smtp = {
          host: str(values, 'smtp-host'),
          port,
          security,
          user: noneOr(values, 'smtp-user'),
          password: passwordFile === undefined ? undefined : await ctx.readSecretFile(passwordFile, 'SMTP password file'),
          from: str(values, 'smtp-from'),
          caPem: caFile === undefined || caFile === null ? caFile : (await ctx.readInput(caFile, 'CA certificate file')).toString('utf8'),
        };
        if (Object.values(smtp).some((value) => value !== undefined)) patch.smtp = defined(smtp);
      }

      const secretFile = str(values, 'webhook-secret-file');
      if (secretFile !== undefined) patch.webhookSecret = await ctx.readSecretFile(secretFile, 'webhook secret file');
      if (values['rotate-webhook-secret'] === true) patch.rotateWebhookSecret = true;

      const secretOut = str(values, 'webhook-secret-out');
      const changesSomething = Object.keys(patch).some((name) => name !== 'owner');
      if (!changesSomething && secretOut === undefined) throw new SignetError('ERR_BAD_INPUT', 'nothing to change (signet notify config set --help lists the options)');
      const config = changesSomething ? await ctx.call('notifications.configure', patch) : await ctx.call('notifications.config', {});
      if (secretOut !== undefined) {
        const artifact = await ctx.call('notifications.exportWebhookSecret', owner === undefined ? {} : { owner });
        // The secret goes to a file only the user can read, never to the terminal.
        await writeOutput(secretOut, Buffer.from(artifact.contentBase64, 'base64'), 0o600);
      }
      if (ctx.json) ctx.printJson(config);
      else ctx.print(`${configText(config)}${secretOut !== undefined ? `\n\nWebhook signing secret written to ${secretOut}.` : ''}`);
    },
  },
  {
    name: 'notify test',
    summary: 'send a test notification through one channel now (in-app, os, email, webhook); exit 1 if it fails',
    usage: 'CHANNEL [--owner O] [--json]',
    options: { owner: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'CHANNEL' },
    async run(ctx, values, [channel = '']) {
      if (!(CHANNELS as readonly string[]).includes(channel)) throw new SignetError('ERR_BAD_INPUT', `CHANNEL is one of ${CHANNELS.join(', ')}, not "${channel}"`);
      const owner = str(values, 'owner');
      const result = await ctx.call('notifications.test', { channel: channel as (typeof CHANNELS)[number], ...(owner !== undefined && { owner }) });
      if (ctx.json) ctx.printJson(result);
      else ctx.print(result.delivered ? `Test notification ${result.notificationId} delivered by ${channel}.` : `Test notification by ${channel} failed: ${result.error}`);
      return result.delivered ? 0 : 1;
    },
  },
];
