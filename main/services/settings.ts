import { z } from 'zod';
import { describeIssues } from './input-issues.ts';
import { SignetError } from '../core/errors.ts';
import { HMAC_PROFILES } from '../core/opg/hmac.ts';
import { addDuration, parseDuration } from '../core/time.ts';
import type { Session } from './session.ts';

const duration = z.string().refine((text) => {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}, 'a duration such as 90d or 2y');

const hosts = z.array(z.string().min(1).max(253)).max(500);
/** An HTTP field name (RFC 9110 §5.1: a token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerNames = z.array(z.string().regex(HEADER_NAME, 'an HTTP header name')).max(50);

/**
 * Every setting, and its default. Policies live here (not as constants in code) so an operator can
 * change them; the defaults follow the partner documents (KLIX: 2 calendar years, X-KLIX-Api-Key;
 * OnePoint: HMAC secrets at most 1 year, 5-minute replay window; OCEN: `Signature` header).
 * Field schemas carry no defaults of their own, so a partial patch never resets what it does not name.
 */
/** Whether one duration reaches further than another, counted from the same moment. */
function longerThan(first: string, second: string): boolean {
  const from = new Date(Date.UTC(2000, 0, 31));
  try {
    return addDuration(from, parseDuration(first)).getTime() > addDuration(from, parseDuration(second)).getTime();
  } catch {
    return false; // a malformed duration is refused by its own field
  }
}

const groups = {
  policy: z.object({
    /** Default validity of generated RSA/EC/OKP keys and of their certificates. */
    keyExpiry: duration,
    hmacDefaultExpiry: duration,
    hmacMaxExpiry: duration,
    /** A key counts as "expiring soon" this many days before it expires. */
    expiringSoonDays: z.number().int().min(1).max(365),
  }),
  inspection: z.object({
    clockToleranceSec: z.number().int().min(0).max(86_400),
    jwtIssuers: z.array(z.string().min(1).max(500)).max(50),
    jwtAudiences: z.array(z.string().min(1).max(500)).max(50),
    hmacProfile: z.enum(Object.keys(HMAC_PROFILES) as [keyof typeof HMAC_PROFILES]),
    hmacWindowSec: z.number().int().min(1).max(86_400),
    hmacCallbackPaths: z.array(z.string().startsWith('/').max(500)).max(50),
    apiKeyHeaders: headerNames,
    signatureHeaders: headerNames,
    /** Hosts whose mutating requests must be JWS-signed and whose GETs must not be. */
    signedRequestHosts: hosts,
    /** Hosts whose responses must be signed. */
    signedResponseHosts: hosts,
    /** Hosts every request to which must carry an API key (in one of apiKeyHeaders; partner 003). */
    apiKeyHosts: hosts,
  }),
  console: z.object({
    /** Lock the keystore after this many minutes without activity in the console (0: never). */
    autoLockMinutes: z.number().int().min(0).max(24 * 60),
  }),
  /** Size and count limits on outside input: exceeding one is ERR_TOO_LARGE (or a skipped entry), never an OOM. */
  limits: z.object({
    /** One HAR entry or raw-HTTP exchange; a larger one is reported malformed and skipped. */
    captureEntryBytes: z.number().int().min(64 * 1024).max(1024 * 1024 * 1024),
    /** Raw HTTP: a start line plus its header section. */
    headerBytes: z.number().int().min(1024).max(16 * 1024 * 1024),
    /** A compact JWS/JWT/JWE given to the workbench. */
    tokenChars: z.number().int().min(1024).max(16 * 1024 * 1024),
    /** A key file to import (PEM, DER, JWK/JWKS, PKCS#12); 1 MiB is also the parser's own ceiling. */
    keyFileBytes: z.number().int().min(1024).max(1024 * 1024),
    /** Keys in one imported file (a JWKS can list many). */
    keysPerFile: z.number().int().min(1).max(100_000),
  }),
};

export type Settings = { [G in keyof typeof groups]: z.infer<(typeof groups)[G]> };
export type SettingsGroup = keyof Settings;
export type SettingsPatch = { [G in SettingsGroup]?: Partial<Settings[G]> };

export const DEFAULT_SETTINGS: Settings = {
  policy: { keyExpiry: '2y', hmacDefaultExpiry: '1y', hmacMaxExpiry: '1y', expiringSoonDays: 30 },
  inspection: {
    clockToleranceSec: 60,
    jwtIssuers: [],
    jwtAudiences: [],
    hmacProfile: 'opg-sha256',
    hmacWindowSec: 300,
    hmacCallbackPaths: [],
    apiKeyHeaders: ['X-KLIX-Api-Key'],
    signatureHeaders: ['Signature', 'X-JWS-Signature'],
    signedRequestHosts: [],
    signedResponseHosts: [],
    apiKeyHosts: [],
  },
  console: { autoLockMinutes: 15 },
  limits: { captureEntryBytes: 64 * 1024 * 1024, headerBytes: 64 * 1024, tokenChars: 4 * 1024 * 1024, keyFileBytes: 1024 * 1024, keysPerFile: 1000 },
};

export const settingsPatchSchema = z.object({
  policy: groups.policy.partial().optional(),
  inspection: groups.inspection.partial().optional(),
  console: groups.console.partial().optional(),
  limits: groups.limits.partial().optional(),
});

function validGroup<G extends SettingsGroup>(group: G, value: unknown): Settings[G] | undefined {
  const parsed = groups[group].safeParse({ ...DEFAULT_SETTINGS[group], ...(value as object) });
  return parsed.success ? (parsed.data as Settings[G]) : undefined;
}

export function readSettings(session: Session): Settings {
  const stored = session.settings.all();
  // A hand-edited or older settings row must not lock users out: a group that fails falls back to defaults.
  return {
    policy: validGroup('policy', stored.policy) ?? DEFAULT_SETTINGS.policy,
    inspection: validGroup('inspection', stored.inspection) ?? DEFAULT_SETTINGS.inspection,
    console: validGroup('console', stored.console) ?? DEFAULT_SETTINGS.console,
    limits: validGroup('limits', stored.limits) ?? DEFAULT_SETTINGS.limits,
  };
}

export function updateSettings(session: Session, patch: SettingsPatch): Settings {
  const current = readSettings(session);
  const next = { ...current };
  for (const group of Object.keys(patch) as SettingsGroup[]) {
    const parsed = groups[group].safeParse({ ...current[group], ...patch[group] });
    if (!parsed.success) {
      throw new SignetError('ERR_BAD_INPUT', `invalid setting: ${describeIssues(parsed.error.issues, group)}`);
    }
    Object.assign(next, { [group]: parsed.data });
  }
  // A default past the maximum would make every HMAC generation that takes the default fail.
  if (longerThan(next.policy.hmacDefaultExpiry, next.policy.hmacMaxExpiry)) {
    throw new SignetError('ERR_BAD_INPUT', 'invalid setting: policy.hmacDefaultExpiry: the default validity of HMAC secrets cannot be longer than their maximum');
  }
  session.transaction(() => {
    for (const group of Object.keys(patch) as SettingsGroup[]) session.settings.set(group, next[group]);
    session.audit.append('settings.changed', null, { changed: Object.entries(patch).flatMap(([group, values]) => Object.keys(values ?? {}).map((name) => `${group}.${name}`)) }, session.clock());
  });
  return next;
}
