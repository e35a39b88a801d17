import type { SchemeName, Verdict } from '../../../main/services/views.ts';
import type { IconName } from '../components/icons.ts';

// How verdicts and schemes read on screen. Every verdict has a tone, an icon and a word, so a badge
// never relies on colour alone. The records are exhaustive: a verdict added to the contract fails
// the type check here until it has a look.

export type Tone = 'ok' | 'warn' | 'danger' | 'neutral';

interface VerdictLook {
  tone: Tone;
  icon: IconName;
  /** The filter's wording. */
  label: string;
}

export const VERDICT_LOOKS: Record<Verdict, VerdictLook> = {
  valid: { tone: 'ok', icon: 'check', label: 'Valid' },
  decrypted: { tone: 'ok', icon: 'check', label: 'Decrypted' },
  known: { tone: 'ok', icon: 'check', label: 'Known API key' },
  invalid: { tone: 'danger', icon: 'x', label: 'Invalid' },
  'revoked-key': { tone: 'danger', icon: 'ban', label: 'Revoked key' },
  malformed: { tone: 'danger', icon: 'alert', label: 'Malformed' },
  'expired-key': { tone: 'warn', icon: 'clock', label: 'Expired key' },
  expired: { tone: 'warn', icon: 'clock', label: 'Expired token' },
  'clock-skew': { tone: 'warn', icon: 'clock', label: 'Clock skew' },
  replay: { tone: 'warn', icon: 'alert', label: 'Replay' },
  violation: { tone: 'warn', icon: 'alert', label: 'Policy violation' },
  'unknown-key': { tone: 'neutral', icon: 'key', label: 'Unknown key' },
  undecryptable: { tone: 'neutral', icon: 'lock', label: 'Undecryptable' },
  unknown: { tone: 'neutral', icon: 'search', label: 'Unknown API key' },
};

export const SCHEME_LABELS: Record<SchemeName, string> = {
  jws: 'JWS',
  'jws-detached': 'Detached JWS',
  jwt: 'JWT',
  jwe: 'JWE',
  'hmac-opg': 'HMAC',
  'api-key': 'API key',
  'key-agreement': 'Key agreement',
  policy: 'Policy',
  capture: 'Capture',
};

export const VERDICT_NAMES = Object.keys(VERDICT_LOOKS) as Verdict[];
export const SCHEME_NAMES = Object.keys(SCHEME_LABELS) as SchemeName[];

const isVerdict = (text: string): text is Verdict => Object.hasOwn(VERDICT_LOOKS, text);
const isScheme = (text: string): text is SchemeName => Object.hasOwn(SCHEME_LABELS, text);

/** A row's `scheme:verdict` badge, split; unknown words (a newer service) still show as text. */
export function parseBadge(badge: string): { scheme: string; schemeLabel: string; verdict: string; look: VerdictLook } {
  const cut = badge.lastIndexOf(':');
  const scheme = cut > 0 ? badge.slice(0, cut) : '';
  const verdict = cut > 0 ? badge.slice(cut + 1) : badge;
  return {
    scheme,
    schemeLabel: isScheme(scheme) ? SCHEME_LABELS[scheme] : scheme,
    verdict,
    look: isVerdict(verdict) ? VERDICT_LOOKS[verdict] : { tone: 'neutral', icon: 'alert', label: verdict },
  };
}

export function verdictLook(verdict: string): VerdictLook {
  return parseBadge(verdict).look;
}

const TONE_RANK: Record<Tone, number> = { danger: 0, warn: 1, neutral: 2, ok: 3 };

/** Badges worst first: in a narrow column the one that matters stays visible. */
export function worstFirst(badges: string[]): string[] {
  return [...badges].sort((a, b) => TONE_RANK[parseBadge(a).look.tone] - TONE_RANK[parseBadge(b).look.tone]);
}
