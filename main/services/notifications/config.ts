import { randomBytes } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import { seal, unseal } from '../../store/vault.ts';
import type { ChannelSettingsView, NotificationConfigView } from '../notification-views.ts';
import type { Session } from '../session.ts';
import type { Artifact } from '../views.ts';
import { describeIssues } from '../input-issues.ts';
import { notificationsOf } from './repository.ts';
import { storedConfigSchema, type ChannelSettings, type ConfigPatch, type SmtpSettings, type StoredConfig } from './schemas.ts';

// Notification settings: channels per owner (over a default scope), the SMTP server, reminder offsets.
// Settings are plain JSON in the settings table; the SMTP password and webhook signing secrets are
// sealed in notification_secrets, the row id as the seal's additional data.

const SETTING_NAME = 'notifications';
export const SMTP_PASSWORD_ID = 'smtp:password';

const BUILT_IN: Required<Omit<ChannelSettings, 'webhookUrl'>> = { inApp: true, os: true, email: true, emailTo: [], webhook: true };

/** What one owner's notifications go to, defaults merged in. */
export interface EffectiveChannels {
  inApp: boolean;
  os: boolean;
  /** Empty when e-mail is off or nobody is configured to receive it. */
  emailTo: string[];
  webhookUrl: string | null;
  /** The sealed secret that signs posts to `webhookUrl` (it belongs with the scope that set the URL). */
  webhookSecretId: string;
}

export function webhookSecretId(owner: string | undefined): string {
  return owner === undefined ? 'webhook:default' : `webhook:owner:${owner}`;
}

export function readConfig(session: Session): StoredConfig {
  const parsed = storedConfigSchema.safeParse(session.settings.all()[SETTING_NAME] ?? {});
  // A hand-edited row must not stop reminders altogether: fall back to the defaults.
  return parsed.success ? parsed.data : storedConfigSchema.parse({});
}

export function effectiveChannels(config: StoredConfig, owner: string): EffectiveChannels {
  const own = config.owners[owner];
  const merged = { ...BUILT_IN, ...config.defaults, ...own };
  const ownUrl = own?.webhookUrl !== undefined;
  return {
    inApp: merged.inApp,
    os: merged.os,
    emailTo: merged.email ? merged.emailTo : [],
    webhookUrl: merged.webhook ? (merged.webhookUrl ?? null) : null,
    webhookSecretId: webhookSecretId(ownUrl ? owner : undefined),
  };
}

export function configView(session: Session, config: StoredConfig = readConfig(session)): NotificationConfigView {
  const secrets = new Set(notificationsOf(session).secretIds());
  const scopeView = (owner: string | undefined): ChannelSettingsView => {
    const merged = { ...BUILT_IN, ...config.defaults, ...(owner === undefined ? {} : config.owners[owner]) };
    return {
      inApp: merged.inApp,
      os: merged.os,
      email: merged.email,
      emailTo: merged.emailTo,
      webhook: merged.webhook,
      webhookUrl: merged.webhookUrl ?? null,
      webhookSecretSet: secrets.has(owner === undefined ? webhookSecretId(undefined) : effectiveChannels(config, owner).webhookSecretId),
    };
  };
  return {
    reminderDays: [...config.reminderDays].sort((a, b) => b - a),
    smtp: config.smtp && { ...config.smtp, passwordSet: secrets.has(SMTP_PASSWORD_ID) },
    defaults: scopeView(undefined),
    owners: Object.fromEntries(Object.keys(config.owners).sort().map((owner) => [owner, scopeView(owner)])),
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;
const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

function nextSmtp(current: SmtpSettings | null, patch: NonNullable<ConfigPatch['smtp']>): SmtpSettings {
  const host = patch.host ?? current?.host;
  if (!host) throw new SignetError('ERR_BAD_INPUT', 'the SMTP server needs a host (--smtp-host)');
  const security = patch.security ?? current?.security ?? 'starttls';
  const next: SmtpSettings = {
    host,
    security,
    port: patch.port ?? (patch.security !== undefined || !current ? DEFAULT_PORT[security] : current.port),
    user: patch.user === undefined ? (current?.user ?? null) : patch.user,
    from: patch.from ?? current?.from ?? 'Signet <signet@localhost>',
    caPem: patch.caPem === undefined ? (current?.caPem ?? null) : patch.caPem,
  };
  // A password sent in clear crosses every network between here and the relay; loopback is the exception.
  if (next.security === 'none' && next.user !== null && !LOOPBACK.test(next.host)) {
    throw new SignetError('ERR_POLICY', `refusing to log in to ${next.host} without TLS: use --smtp-security tls or starttls (or drop --smtp-user)`);
  }
  return next;
}

function nextScope(current: ChannelSettings | undefined, patch: NonNullable<ConfigPatch['channels']>): ChannelSettings {
  const next: ChannelSettings = { ...current };
  for (const name of ['inApp', 'os', 'email', 'webhook'] as const) {
    const value = patch[name];
    if (value !== undefined) next[name] = value;
  }
  if (patch.emailTo === null) delete next.emailTo;
  else if (patch.emailTo !== undefined) next.emailTo = patch.emailTo;
  if (patch.webhookUrl === null) delete next.webhookUrl;
  else if (patch.webhookUrl !== undefined) {
    if (new URL(patch.webhookUrl).username || new URL(patch.webhookUrl).password) {
      throw new SignetError('ERR_BAD_INPUT', 'the webhook URL carries a user name or password; settings are not sealed, so leave credentials out of it (posts are signed instead)');
    }
    next.webhookUrl = patch.webhookUrl;
  }
  return next;
}

/** A webhook signing secret: 256 random bits, printable so any receiver can paste it (prefix for secret scanners). */
function newWebhookSecret(): string {
  return `swh_${randomBytes(32).toString('base64url')}`;
}

export function updateConfig(session: Session, patch: ConfigPatch): NotificationConfigView {
  const repository = notificationsOf(session);
  const now = session.clock();
  const current = readConfig(session);
  const next: StoredConfig = { ...current, owners: { ...current.owners } };
  const changed: string[] = [];

  if (patch.reminderDays) {
    next.reminderDays = [...new Set(patch.reminderDays)].sort((a, b) => b - a);
    changed.push('reminderDays');
  }
  if (patch.smtp === null) {
    next.smtp = null;
    changed.push('smtp');
  } else if (patch.smtp) {
    next.smtp = nextSmtp(current.smtp, patch.smtp);
    changed.push('smtp');
  }

  const owner = patch.owner;
  if (owner !== undefined && patch.resetOwner) {
    delete next.owners[owner];
    changed.push(`owners.${owner}`);
  }
  if (patch.channels) {
    if (owner === undefined) next.defaults = nextScope(current.defaults, patch.channels);
    else next.owners[owner] = nextScope(next.owners[owner], patch.channels);
    changed.push(owner === undefined ? 'defaults' : `owners.${owner}`);
  }

  const scopeHasUrl = owner === undefined ? next.defaults.webhookUrl !== undefined : next.owners[owner]?.webhookUrl !== undefined;
  if (owner !== undefined && !scopeHasUrl && (patch.rotateWebhookSecret || patch.webhookSecret !== undefined)) {
    throw new SignetError('ERR_BAD_INPUT', `owner "${owner}" posts to the default webhook, signed with its secret: change that one (without --owner), or give the owner its own --webhook-url`);
  }

  // Seal everything before the transaction: a locked keystore fails here, having changed nothing.
  const sealed: { id: string; blob: Buffer | null }[] = [];
  if (patch.smtp === null || (patch.smtp && patch.smtp.password === null)) sealed.push({ id: SMTP_PASSWORD_ID, blob: null });
  if (patch.smtp?.password) sealed.push({ id: SMTP_PASSWORD_ID, blob: seal(session.master, SMTP_PASSWORD_ID, Buffer.from(patch.smtp.password, 'utf8')) });
  const secretId = webhookSecretId(owner);
  const secretExists = repository.sealedSecret(secretId) !== undefined;
  if (patch.webhookSecret !== undefined || patch.rotateWebhookSecret || (scopeHasUrl && !secretExists)) {
    const secret = patch.webhookSecret ?? newWebhookSecret();
    sealed.push({ id: secretId, blob: seal(session.master, secretId, Buffer.from(secret, 'utf8')) });
  } else if (secretExists && !scopeHasUrl && (patch.resetOwner || patch.channels?.webhookUrl === null)) {
    // The URL it signed for is gone; a new URL gets a new secret rather than inheriting an old one.
    sealed.push({ id: secretId, blob: null });
  }
  for (const { id } of sealed) changed.push(id.startsWith('smtp') ? 'smtp.password' : `${id}.secret`);

  const checked = storedConfigSchema.safeParse(next);
  if (!checked.success) throw new SignetError('ERR_BAD_INPUT', `invalid notification setting: ${describeIssues(checked.error.issues)}`);

  session.transaction(() => {
    session.settings.set(SETTING_NAME, checked.data);
    for (const { id, blob } of sealed) {
      if (blob) repository.putSealedSecret(id, blob, now);
      else repository.removeSecret(id);
    }
    session.audit.append('notifications.config-changed', null, { changed: [...new Set(changed)] }, now);
  });
  return configView(session, checked.data);
}

/** Opens a sealed channel credential (needs the keystore unlocked); undefined when none is stored. */
export function openSecret(session: Session, id: string): string | undefined {
  const sealedBlob = notificationsOf(session).sealedSecret(id);
  if (!sealedBlob) return undefined;
  const bytes = unseal(session.master, id, sealedBlob);
  try {
    return bytes.toString('utf8');
  } finally {
    bytes.fill(0);
  }
}

/**
 * The webhook signing secret, for configuring the receiver. Only ever handed out as a file (the CLI
 * writes it 0600), and the hand-out is audited like a private-key export.
 */
export function exportWebhookSecret(session: Session, owner: string | undefined): Artifact {
  const config = readConfig(session);
  const id = owner === undefined ? webhookSecretId(undefined) : effectiveChannels(config, owner).webhookSecretId;
  const secret = openSecret(session, id);
  if (secret === undefined) {
    throw new SignetError('ERR_NOT_FOUND', `no webhook secret for ${owner === undefined ? 'the defaults' : `owner "${owner}"`}: set a webhook URL first (notify config set --webhook-url URL)`);
  }
  session.transaction(() => session.audit.append('notifications.webhook-secret-exported', null, { scope: id }, session.clock()));
  return { fileName: 'signet-webhook-secret.txt', mimeType: 'text/plain', contentBase64: Buffer.from(`${secret}\n`, 'utf8').toString('base64'), text: true };
}
