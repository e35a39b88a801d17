import { describe, expect, it } from 'vitest';
import { addDuration, parseDuration, parseExpiry, parseInstant } from '../../../main/core/time.ts';

describe('durations', () => {
  it('adds calendar years, clamping 29 February', () => {
    expect(addDuration(new Date('2024-02-29T10:00:00Z'), parseDuration('2y')).toISOString()).toBe('2026-02-28T10:00:00.000Z');
  });
  it('adds fixed units', () => {
    expect(addDuration(new Date('2026-01-01T00:00:00Z'), parseDuration('90d')).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(addDuration(new Date('2026-01-01T00:00:00Z'), parseDuration('15m')).toISOString()).toBe('2026-01-01T00:15:00.000Z');
  });
  it('refuses what is not a duration or a date with a clear message', () => {
    expect(() => parseDuration('2 years')).toThrow(/not a duration/);
    expect(() => parseInstant('yesterday')).toThrow(/not a date/);
  });
  it('reads --expires as a duration or a date', () => {
    const now = new Date('2026-01-31T00:00:00Z');
    expect(parseExpiry('1mo', now).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseExpiry('2027-06-01', now).toISOString()).toBe('2027-06-01T00:00:00.000Z');
  });
});
