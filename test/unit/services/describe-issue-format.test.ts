import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue } from '../../../main/services/input-issues.ts';

const problems = (schema: z.ZodType, input: unknown): string[] => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map(describeIssue);
};

describe('a refused format in plain words', () => {
  it('names what the pattern accepts when the schema says so, not the kind of check', () => {
    const schema = z.object({ method: z.string().regex(/^[A-Za-z]{1,20}$/, 'an HTTP method'), headers: z.array(z.string().regex(/^[A-Za-z-]+$/, 'an HTTP header name')) });
    expect(problems(schema, { method: 'PO ST', headers: ['X Bad'] })).toEqual(['method must be an HTTP method', 'headers.0 must be an HTTP header name']);
  });

  it('names the prefix a value must start with', () => {
    expect(problems(z.object({ paths: z.array(z.string().startsWith('/')) }), { paths: ['callbacks/'] })).toEqual(['paths.0 must start with "/"']);
  });

  it('falls back to the kind of check when the schema gives no words', () => {
    expect(problems(z.object({ code: z.string().regex(/^\d+$/) }), { code: 'x' })).toEqual(['code is not a valid regex']);
  });
});
