import { SignetError } from '../errors.ts';
import type { GroupId } from './groups.ts';

/**
 * The partner's four scheme names and what Signet makes of them. The partner spec (002) leaves the
 * groups, KDF and proof open; a profile pins them down and its id is mixed into every derived key,
 * so two profiles can never produce the same key (docs/key-agreement.md §1).
 */

export const SCHEMES = ['SCHEME-AES1', 'SCHEME-AES2', 'SCHEME-EC-AES1', 'SCHEME-EC-AES2'] as const;
export type SchemeId = (typeof SCHEMES)[number];

export interface SchemeParameters {
  group: GroupId;
  /** AES key length for the sealed fields: "1" is AES-128, "2" is AES-256. */
  aesKeyBytes: 16 | 32;
}

export interface AgreementProfile {
  id: string;
  label: string;
  schemes: Record<SchemeId, SchemeParameters>;
  /** The server's choice among offered schemes, strongest first. */
  serverPreference: readonly SchemeId[];
}

const PREFERENCE: readonly SchemeId[] = ['SCHEME-EC-AES2', 'SCHEME-AES2', 'SCHEME-EC-AES1', 'SCHEME-AES1'];

export const AGREEMENT_PROFILES = {
  /**
   * Both EC schemes use P-256, so one client key can offer both and let the server pick the AES
   * size; the finite-field schemes use different groups and cannot be offered together.
   */
  'signet-v1': {
    id: 'signet-v1',
    label: 'Signet v1: MODP-2048 / ffdhe3072 / P-256, HKDF-SHA-256, HMAC proof, AES-GCM',
    schemes: {
      'SCHEME-AES1': { group: 'modp14', aesKeyBytes: 16 },
      'SCHEME-AES2': { group: 'ffdhe3072', aesKeyBytes: 32 },
      'SCHEME-EC-AES1': { group: 'P-256', aesKeyBytes: 16 },
      'SCHEME-EC-AES2': { group: 'P-256', aesKeyBytes: 32 },
    },
    serverPreference: PREFERENCE,
  },
  /** The same derivation with X25519 for the EC schemes, for partners that prefer it. */
  'signet-v1-x25519': {
    id: 'signet-v1-x25519',
    label: 'Signet v1 with X25519 for the EC schemes',
    schemes: {
      'SCHEME-AES1': { group: 'modp14', aesKeyBytes: 16 },
      'SCHEME-AES2': { group: 'ffdhe3072', aesKeyBytes: 32 },
      'SCHEME-EC-AES1': { group: 'X25519', aesKeyBytes: 16 },
      'SCHEME-EC-AES2': { group: 'X25519', aesKeyBytes: 32 },
    },
    serverPreference: PREFERENCE,
  },
} as const satisfies Record<string, AgreementProfile>;

export type AgreementProfileId = keyof typeof AGREEMENT_PROFILES;
export const DEFAULT_AGREEMENT_PROFILE: AgreementProfileId = 'signet-v1';
/** Every profile, the default first (for choosers and for trying each in turn). */
export const AGREEMENT_PROFILE_IDS = ['signet-v1', 'signet-v1-x25519'] as const satisfies readonly AgreementProfileId[];
// A profile added to AGREEMENT_PROFILES but not listed above fails to compile here.
const everyProfileListed: Exclude<AgreementProfileId, (typeof AGREEMENT_PROFILE_IDS)[number]> extends never ? true : never = true;
void everyProfileListed;

export function resolveAgreementProfile(profile: AgreementProfile | string | undefined): AgreementProfile {
  if (profile === undefined) return AGREEMENT_PROFILES[DEFAULT_AGREEMENT_PROFILE];
  if (typeof profile !== 'string') return profile;
  if (Object.hasOwn(AGREEMENT_PROFILES, profile)) return AGREEMENT_PROFILES[profile as AgreementProfileId];
  throw new SignetError('ERR_BAD_INPUT', `unknown key-agreement profile "${profile}"; known profiles: ${Object.keys(AGREEMENT_PROFILES).join(', ')}`);
}

export function isSchemeId(value: unknown): value is SchemeId {
  return typeof value === 'string' && (SCHEMES as readonly string[]).includes(value);
}

/** Checks a scheme name, with a hint for the underscore spelling the partner's prose uses. */
export function checkSchemeId(value: unknown): SchemeId {
  if (isSchemeId(value)) return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const hyphenated = typeof value === 'string' ? value.replaceAll('_', '-') : '';
  const hint = isSchemeId(hyphenated) ? ` (did you mean ${hyphenated}?)` : '';
  throw new SignetError('ERR_AGREEMENT_MALFORMED', `unknown scheme ${JSON.stringify(String(text).slice(0, 40))}${hint}; known: ${SCHEMES.join(', ')}`);
}
