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

describe('instants as typed', () => {
  it('refuses a day the month does not have instead of rolling it over', () => {
    expect(() => parseInstant('2027-02-30')).toThrow(/not a date/);
    expect(() => parseInstant('2027-02-29T12:00:00Z')).toThrow(/not a date/);
    expect(() => parseInstant('2027-04-31T00:00:00+02:00')).toThrow(/not a date/);
    expect(parseInstant('2028-02-29').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
  it('asks for the zone of a date-time rather than guess this machine’s', () => {
    expect(() => parseInstant('2027-01-31T12:00:00')).toThrow(/no time zone: add Z for UTC or an offset/);
    expect(parseInstant('2027-01-31T12:00:00+02:00').toISOString()).toBe('2027-01-31T10:00:00.000Z');
    expect(parseInstant('2027-01-31 12:00z').toISOString()).toBe('2027-01-31T12:00:00.000Z');
  });
  it('names both forms when --expires is neither', () => {
    expect(() => parseExpiry('12 months', new Date())).toThrow(/not a date or a duration: "12 months" \(use e\.g\. 2027-01-31, .*3mo, 2y\)/);
  });
});
