import type { NotificationEvent, NotificationFacts } from '../notification-views.ts';

// The words of a notification: a title short enough for an OS banner or an SMS, and a body that names
// the key (name, kid, owner, environment, expiry) and says what to do. Labels only, never material.

export interface NotificationText {
  title: string;
  body: string;
}

const DAY_MS = 86_400_000;

const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'never');

// Labels come from partners (a kid in an imported JWK) and operators (names, revocation reasons). A
// line break in one would fake a line of the message ("…\nExpires: 2099-01-01"), a bidi override would
// reorder what is shown: such a label is quoted, with those characters escaped where one can see them.
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;
const ESCAPED = new RegExp(`${UNSAFE.source}|["\\\\]`, 'gu');
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

/** `"…"` with quotes, backslashes and unsafe characters escaped (\n, \u202e): what the title names a key by. */
function quoted(value: string): string {
  return `"${value.replace(ESCAPED, (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** A label as is, or quoted when it holds a character that could fake a line or reorder the text. */
export function label(value: string): string {
  return UNSAFE.test(value) ? quoted(value) : value;
}

/**
 * Days left until `expiresAt`, as a person would count them: to the nearest whole day (a reminder made
 * minutes after its moment still counts 30), and within two days by the calendar date, in UTC like
 * every time in these messages (a key expiring at 00:30 expires "tomorrow" at 23:30). The title says
 * this count and the webhook's `daysLeft` carries it, so the two never disagree.
 */
export function daysUntil(expiresAt: Date, now: Date): number {
  const nearest = Math.round((expiresAt.getTime() - now.getTime()) / DAY_MS);
  return nearest >= 2 ? nearest : Math.floor(expiresAt.getTime() / DAY_MS) - Math.floor(now.getTime() / DAY_MS);
}

/** "in 30 days", "tomorrow" or "today". */
function expiresWhen(expiresAt: Date, now: Date): string {
  const days = daysUntil(expiresAt, now);
  if (days <= 0) return 'today';
  return days === 1 ? 'tomorrow' : `in ${days} days`;
}

function title(event: NotificationEvent, facts: NotificationFacts, now: Date): string {
  const name = quoted(facts.keyName ?? facts.kid ?? 'unknown');
  const key = `Key ${name}`;
  switch (event) {
    case 'key.expiring':
      return `${key} expires ${facts.expiresAt ? expiresWhen(new Date(facts.expiresAt), now) : 'soon'}`;
    case 'key.expired':
      return `${key} has expired`;
    case 'key.created':
      return `${key} was created`;
    case 'key.imported':
      return `${key} was imported`;
    case 'key.activated':
      return `${key} was activated`;
    case 'key.revoked':
      return `${key} was revoked: ${label(facts.reason ?? 'unspecified')}`;
    case 'key.deleted':
      return `${key} was deleted`;
    case 'key.secret-rotated':
      return `The secret of key ${name} was rotated`;
    case 'test':
      return 'Signet test notification';
  }
}

function replaceAdvice(facts: NotificationFacts): string {
  if (facts.keyType === 'hmac') {
    return 'Ask the partner portal for a new secret (HMAC secrets are valid for at most a year), import it with "signet keys import-secret", switch every system that signs with this AppId to it, then revoke this one.';
  }
  if (facts.hasPrivate === false) {
    return "This is a partner's verification key: fetch their new key or certificate and import it (signet keys import), so their messages keep verifying.";
  }
  return 'Generate a replacement (signet keys generate --cert ...), register its public key or certificate with the partner, switch your systems to the new kid, then revoke this one once nothing uses it.';
}

function advice(event: NotificationEvent, facts: NotificationFacts): string {
  switch (event) {
    case 'key.expiring':
      return replaceAdvice(facts);
    case 'key.expired':
      return `Partners reject what is signed with an expired key. ${replaceAdvice(facts)}`;
    case 'key.created':
    case 'key.imported':
      if (facts.keyType === 'hmac') return 'Configure the systems that sign for this AppId with it. If you did not expect it, check the audit log (signet audit list).';
      return 'If this key is meant for a partner, register its public key or certificate with them. If you did not expect it, check the audit log (signet audit list).';
    case 'key.activated':
      return 'The key can be used now: make sure every partner that verifies it has its public part.';
    case 'key.revoked':
      return `Make sure no system still signs with it and tell the partners that rely on it. If it was compromised, check captured traffic since ${when(facts.effectiveAt)} for messages signed with it.`;
    case 'key.deleted':
      return 'Nothing to do if this was intended; otherwise restore the key from a backup of the keystore.';
    case 'key.secret-rotated':
      return 'Give the new secret to every system that signs with the old one; requests signed with the old secret will fail.';
    case 'test':
      return 'Nothing: this message shows that the channel works.';
  }
}

/** The words for `event` made at `now` (a reminder counts the days from then). */
export function notificationText(event: NotificationEvent, facts: NotificationFacts, now: Date): NotificationText {
  const lines =
    event === 'test'
      ? ['This is a test notification from Signet.']
      : [
          `Key:          ${label(facts.keyName ?? '-')}`,
          `kid:          ${label(facts.kid ?? '-')}`,
          `Owner:        ${label(facts.owner || '-')}`,
          `Environment:  ${label(facts.environment || '-')}`,
          `Type:         ${label(facts.keyType ?? '-')}`,
          `Expires:      ${when(facts.expiresAt)}`,
          ...(facts.reason !== undefined ? [`Reason:       ${label(facts.reason)}`] : []),
          ...(facts.effectiveAt !== undefined ? [`Revoked since ${when(facts.effectiveAt)}`] : []),
          ...(facts.covers && facts.covers.length > 1
            ? [`(This one message stands for the ${facts.covers.map((days) => (days === 0 ? 'expiry' : `${days}-day`)).join(', ')} reminders, which fell due while Signet was not running.)`]
            : []),
        ];
  return { title: title(event, facts, now), body: `${lines.join('\n')}\n\nWhat to do: ${advice(event, facts)}` };
}
