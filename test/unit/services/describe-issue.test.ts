import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue } from '../../../main/services/input-issues.ts';

const problems = (schema: z.ZodType, input: unknown): string[] => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map(describeIssue);
};

describe('input refusals in plain words', () => {
  it('names the field and the rule, not the validator', () => {
    const schema = z.strictObject({
      policy: z.object({ expiringSoonDays: z.number().int().min(1).max(365) }),
      webhookUrl: z.url(),
      emailTo: z.array(z.email()).max(2),
      reason: z.string().max(5),
      kid: z.string().min(1),
      format: z.enum(['pem', 'jwk']),
      force: z.boolean(),
      expires: z.string().refine((value) => /^\d+[dy]$/.test(value), 'a duration such as 90d or 2y'),
    });
    expect(problems(schema, { policy: { expiringSoonDays: 0 }, webhookUrl: 'nope', emailTo: ['a@b.test', 'bad'], reason: 'too long', kid: '', format: 'p7', force: 'yes', expires: 'forever', extra: 1 })).toEqual([
      'policy.expiringSoonDays must be at least 1',
      'webhookUrl is not a valid URL',
      'emailTo.1 is not a valid e-mail address',
      'reason must be at most 5 characters',
      'kid must not be empty',
      'format must be one of "pem", "jwk"',
      'force must be a boolean',
      'expires: a duration such as 90d or 2y',
      'unknown option: extra',
    ]);
  });

  it('says what is missing, and counts items', () => {
    expect(problems(z.object({ ref: z.string(), ids: z.array(z.string()).min(2) }), { ids: ['one'] })).toEqual(['ref is required', 'ids must be at least 2 items']);
    expect(problems(z.number().max(86_400), 90_000)).toEqual(['the input must be at most 86400']);
  });
});
