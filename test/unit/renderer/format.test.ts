import { describe, expect, it } from 'vitest';
import { relativeDays, shortRelativeDays } from '../../../renderer/src/lib/format.ts';

const now = new Date('2026-11-23T12:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();

describe('relative days', () => {
  it('calls anything within a day either side today, not a day off', () => {
    expect(relativeDays(at(-0.01), now)).toBe('earlier today');
    expect(relativeDays(at(-23), now)).toBe('earlier today');
    expect(relativeDays(at(5), now)).toBe('today');
    expect(shortRelativeDays(at(-2), now)).toBe('today');
  });

  it('counts whole days beyond that, both ways', () => {
    expect(relativeDays(at(-25), now)).toBe('1 day ago');
    expect(relativeDays(at(-24 * 21 - 1), now)).toBe('21 days ago');
    expect(relativeDays(at(25), now)).toBe('in 1 day');
    expect(shortRelativeDays(at(24 * 730 + 1), now)).toBe('in 730 d');
    expect(shortRelativeDays(at(-24 * 3 - 1), now)).toBe('3 d ago');
  });
});
