import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Watch the comparison itself: tokensMatch must compare fixed-length digests with timingSafeEqual,
// never the raw strings (whose length, and an early exit, would leak through timing).
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual), createHash: vi.fn(original.createHash) };
});

const { tokensMatch } = await import('../../../main/adapters/http/server.ts');
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const createHash = vi.mocked(crypto.createHash);

const token = 'Q2hvb3NlIGEgcmFuZG9tIHRva2VuIG9mIDMyIGJ5dGVz';

beforeEach(() => {
  timingSafeEqual.mockClear();
  createHash.mockClear();
});

describe('tokensMatch', () => {
  it('accepts the same token', () => {
    expect(tokensMatch(token, token)).toBe(true);
  });

  it.each([
    ['one character changed', `${token.slice(0, -1)}R`],
    ['a prefix', token.slice(0, 10)],
    ['a longer string', `${token}A`],
    ['the empty string', ''],
    ['another case', token.toLowerCase()],
  ])('refuses %s', (_name, given) => {
    expect(tokensMatch(given, token)).toBe(false);
  });

  it('hashes both sides with SHA-256 before comparing, so lengths never differ', () => {
    tokensMatch('short', token);
    expect(createHash.mock.calls.map(([algorithm]) => algorithm)).toEqual(['sha256', 'sha256']);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [left, right] = timingSafeEqual.mock.calls[0] ?? [];
    expect([Buffer.from(left as Uint8Array).length, Buffer.from(right as Uint8Array).length]).toEqual([32, 32]);
    expect(Buffer.from(left as Uint8Array).toString('utf8')).not.toContain('short');
  });

  it('compares in constant time on every path: one timingSafeEqual call, match or not', () => {
    tokensMatch(token, token);
    tokensMatch('x', token);
    tokensMatch(`${token}x`.repeat(100), token);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });
});
