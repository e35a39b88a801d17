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
      from: z.string().min(3).max(320).optional(),
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
