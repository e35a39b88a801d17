import { z } from 'zod';

// The notification settings as stored (in the settings table, under "notifications") and the patch the
// contract accepts. Zod only, no Node imports: the contract imports these for its input schemas.

export const DEFAULT_REMINDER_DAYS = [90, 30, 7, 1];

const reminderDays = z.array(z.number().int().min(1).max(3650)).min(1).max(12);
const address = z.email().max(320);
const hostName = z.string().min(1).max(253).regex(/^[A-Za-z0-9.\-:[\]]+$/, 'a host name or IP address');
const smtpSecurity = z.enum(['tls', 'starttls', 'none']);
const pem = z.string().max(100_000).regex(/-----BEGIN CERTIFICATE-----/, 'PEM certificates');
const webhookUrl = z.url({ protocol: /^https?$/ }).max(2000);

// The From of every e-mail: one mailbox, "signet@example.com" or "Signet <signet@example.com>", on one
// line. A CR or LF would start a header of its own ("…\r\nBcc: spy@…"), so control characters are
// refused with the rest. The domain may be a bare host name (the default is signet@localhost).
const MAILBOX = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+@[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?(\.[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u;
/** A display name: words (a comment in parentheses too), or a quoted string for one with commas and the like (RFC 5322 §3.2.5). */
const DISPLAY_NAME = /^([\p{L}\p{N}\p{M} !#$%&'()*+/=?^_`{|}~.-]*|"([^"\\\p{Cc}]|\\[^\p{Cc}])*")$/u;

export function isFromAddress(value: string): boolean {
  const named = /^(.*?) *<([^<>]*)>$/su.exec(value);
  return named ? DISPLAY_NAME.test(named[1] ?? '') && MAILBOX.test(named[2] ?? '') : MAILBOX.test(value);
}

const fromAddress = z.string().min(3).max(320).refine(isFromAddress, 'one e-mail address, or a name and address such as "Signet <signet@example.com>", on one line');

/** One scope's channel switches; absent fields inherit (an owner from the defaults, the defaults from built-ins). */
export const channelSettingsSchema = z.object({
  inApp: z.boolean().optional(),
  os: z.boolean().optional(),
  email: z.boolean().optional(),
  emailTo: z.array(address).max(50).optional(),
  webhook: z.boolean().optional(),
  webhookUrl: webhookUrl.optional(),
});

export const smtpSettingsSchema = z.object({
  host: hostName,
  port: z.number().int().min(1).max(65535),
  security: smtpSecurity,
  user: z.string().min(1).max(320).nullable(),
  // Checked as it is set (configPatchSchema). A value stored before that check stays readable, so the
  // rest of the settings still apply; sending refuses it (openSender).
  from: z.string().min(3).max(320),
  caPem: pem.nullable(),
});

export const storedConfigSchema = z.object({
  reminderDays: reminderDays.default(DEFAULT_REMINDER_DAYS),
  smtp: smtpSettingsSchema.nullable().default(null),
  defaults: channelSettingsSchema.default({}),
  owners: z.record(z.string().max(200), channelSettingsSchema).default({}),
});

export type ChannelSettings = z.infer<typeof channelSettingsSchema>;
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;
export type StoredConfig = z.infer<typeof storedConfigSchema>;

/** `null` clears a field (back to inheriting); secrets arrive here once and are sealed, never stored in clear. */
export const configPatchSchema = z.object({
  reminderDays: reminderDays.optional(),
  smtp: z
    .object({
      host: hostName.optional(),
      port: z.number().int().min(1).max(65535).optional(),
      security: smtpSecurity.optional(),
      user: z.string().min(1).max(320).nullable().optional(),
      password: z.string().min(1).max(1024).nullable().optional(),
      from: fromAddress.optional(),
      caPem: pem.nullable().optional(),
    })
    .strict()
    .nullable()
    .optional(),
  /** The scope `channels`, `resetOwner` and the webhook secret options apply to; absent: the defaults. */
  owner: z.string().max(200).optional(),
  channels: z
    .object({
      inApp: z.boolean().optional(),
      os: z.boolean().optional(),
      email: z.boolean().optional(),
      emailTo: z.array(address).max(50).nullable().optional(),
      webhook: z.boolean().optional(),
      webhookUrl: webhookUrl.nullable().optional(),
    })
    .strict()
    .optional(),
  resetOwner: z.boolean().optional(),
  rotateWebhookSecret: z.boolean().optional(),
  /** A signing secret the receiver already has, instead of a generated one. */
  webhookSecret: z.string().min(16).max(512).optional(),
});

export type ConfigPatch = z.infer<typeof configPatchSchema>;

export const notifyChannelSchema = z.enum(['in-app', 'os', 'email', 'webhook']);
