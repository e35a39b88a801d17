import { z } from 'zod';
import { SignetError } from '../core/errors.ts';
import { parseDuration } from '../core/time.ts';
import type { Session } from './session.ts';

const duration = z.string().refine((text) => {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}, 'a duration such as 90d or 2y');

/**
 * Every setting with its default. Policies live here (not as constants in code) so an operator can
 * change them; the defaults follow the partner documents (KLIX: 2 calendar years; OnePoint: HMAC
 * secrets at most 1 year).
 */
export const settingsSchema = z.object({
  policy: z
    .object({
      /** Default validity of generated RSA/EC/OKP keys and of their certificates. */
      keyExpiry: duration.default('2y'),
      hmacDefaultExpiry: duration.default('1y'),
      hmacMaxExpiry: duration.default('1y'),
      /** A key counts as "expiring soon" this many days before it expires. */
      expiringSoonDays: z.number().int().min(1).max(365).default(30),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export const settingsPatchSchema = z.object({ policy: settingsSchema.shape.policy.unwrap().partial().optional() });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function readSettings(session: Session): Settings {
  const parsed = settingsSchema.safeParse(session.settings.all());
  // A hand-edited or older settings row must not lock users out: fall back to defaults for it.
  return parsed.success ? parsed.data : settingsSchema.parse({});
}

export function updateSettings(session: Session, patch: SettingsPatch): Settings {
  const current = readSettings(session);
  const next = settingsSchema.safeParse({ ...current, policy: { ...current.policy, ...patch.policy } });
  if (!next.success) throw new SignetError('ERR_BAD_INPUT', `invalid setting: ${next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  session.transaction(() => {
    for (const [name, value] of Object.entries(next.data)) session.settings.set(name, value);
    session.audit.append('settings.changed', null, { changed: Object.keys(patch) }, session.clock());
  });
  return next.data;
}
