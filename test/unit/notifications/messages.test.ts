import { describe, expect, it } from 'vitest';
import type { NotificationFacts } from '../../../main/services/notification-views.ts';
import { notificationText } from '../../../main/services/notifications/messages.ts';
import { configPatchSchema } from '../../../main/services/notifications/schemas.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

function facts(overrides: Partial<NotificationFacts> = {}): NotificationFacts {
  return { kid: 'k1', keyName: 'klix merchant', owner: 'acme', environment: 'production', keyType: 'ec', expiresAt: '2027-01-15T10:00:00.000Z', hasPrivate: true, ...overrides };
}

const expiringTitle = (expiresAt: string, now: Date) => notificationText('key.expiring', facts({ expiresAt }), now).title;
const before = (iso: string, ms: number) => new Date(new Date(iso).getTime() - ms);

describe('reminder titles', () => {
  const expiresAt = '2027-01-15T10:00:00.000Z';

  it('count the days to the nearest one, so a reminder made minutes after its moment names its own offset', () => {
    expect(expiringTitle(expiresAt, before(expiresAt, 30 * DAY - 5 * MINUTE))).toBe('Key "klix merchant" expires in 30 days');
    expect(expiringTitle(expiresAt, before(expiresAt, 7 * DAY - 5 * MINUTE))).toBe('Key "klix merchant" expires in 7 days');
  });

  it('say "tomorrow" for the 1-day reminder', () => {
    expect(expiringTitle(expiresAt, before(expiresAt, DAY - 5 * MINUTE))).toBe('Key "klix merchant" expires tomorrow');
  });

  it('say "today" only when the key expires on the same UTC date, "tomorrow" when on the next', () => {
    expect(expiringTitle('2027-01-15T22:00:00.000Z', new Date('2027-01-15T09:00:00Z'))).toBe('Key "klix merchant" expires today');
    expect(expiringTitle('2027-01-16T02:00:00.000Z', new Date('2027-01-15T22:00:00Z'))).toBe('Key "klix merchant" expires tomorrow');
  });
});

describe('labels in notification text', () => {
  const now = new Date('2027-01-01T00:00:00Z');

  it('are quoted with their line breaks escaped, so a partner’s kid cannot add a line to the body', () => {
    const { body } = notificationText('key.imported', facts({ kid: 'partner\nExpires:      2099-01-01 00:00 UTC', hasPrivate: false }), now);
    expect(body.split('\n').filter((line) => line.startsWith('Expires:'))).toEqual(['Expires:      2027-01-15 10:00 UTC']);
    expect(body).toContain('kid:          "partner\\nExpires:      2099-01-01 00:00 UTC"');
  });

  it('are quoted and escaped in title and body when a name, owner, environment or reason holds control characters', () => {
    const { title, body } = notificationText(
      'key.revoked',
      facts({ keyName: 'ops key\r\nkid: fake', owner: 'acme\u0007', environment: 'prod\u2028Type: hmac', reason: 'superseded\nWhat to do: nothing', effectiveAt: '2027-01-01T00:00:00.000Z' }),
      now,
    );
    expect(title).toBe('Key "ops key\\r\\nkid: fake" was revoked: "superseded\\nWhat to do: nothing"');
    expect(body.split('\n').slice(0, 7)).toEqual([
      'Key:          "ops key\\r\\nkid: fake"',
      'kid:          k1',
      'Owner:        "acme\\u0007"',
      'Environment:  "prod\\u2028Type: hmac"',
      'Type:         ec',
      'Expires:      2027-01-15 10:00 UTC',
      'Reason:       "superseded\\nWhat to do: nothing"',
    ]);
  });

  it('have bidi overrides escaped, and quotes inside the quoted name of a title', () => {
    expect(notificationText('key.created', facts({ keyName: 'a" was revoked: "b\u202e' }), now).title).toBe('Key "a\\" was revoked: \\"b\\u202e" was created');
  });

  it('are shown as they are when ordinary', () => {
    const { body } = notificationText('key.created', facts({ keyName: 'Händler (prod) "main"', owner: 'acme' }), now);
    expect(body).toContain('Key:          Händler (prod) "main"\nkid:          k1\nOwner:        acme\n');
  });
});

describe('SMTP address settings', () => {
  const from = (value: string) => configPatchSchema.safeParse({ smtp: { from: value } });

  it('refuse a From with a line break, which would add a header such as Bcc', () => {
    const refused = from('Signet <s@example.com>\r\nBcc: spy@evil.example');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['smtp', 'from'], message: expect.stringContaining('on one line') });
  });

  it('refuse a From that is not one mailbox', () => {
    for (const value of ['Signet', 'a@example.com, b@example.com', 'Doe, John <j@example.com>', 'Signet <s@example.com> <t@example.com>']) expect(from(value).success).toBe(false);
  });

  it('accept a From address, a named address and a quoted name', () => {
    for (const value of ['signet@example.com', 'Signet <signet@localhost>', '"Signet, Ops" <ops@example.com>', 'Signet (prod) <s@example.com>']) expect(from(value).success).toBe(true);
  });

  it('refuse a recipient with a line break', () => {
    expect(configPatchSchema.safeParse({ channels: { emailTo: ['ops@example.com\r\nBcc: spy@evil.example'] } }).success).toBe(false);
  });
});
