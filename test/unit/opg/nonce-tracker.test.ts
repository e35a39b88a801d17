import { describe, expect, it } from 'vitest';
import { NonceTracker } from '../../../main/core/opg/index.ts';

const start = new Date('2026-01-01T10:00:00Z');
const after = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe('NonceTracker', () => {
  it('does not report the first use of a nonce', () => {
    expect(new NonceTracker().observe('app', 'n1', { at: start })).toEqual({ replay: false, skipped: false });
  });

  it('reports a replay when the same AppId and nonce come back within the window', () => {
    const tracker = new NonceTracker();
    tracker.observe('app', 'n1', { at: start });
    expect(tracker.observe('app', 'n1', { at: after(299) })).toEqual({ replay: true, previousAt: start, skipped: false });
  });

  it('does not report the same nonce for another AppId', () => {
    const tracker = new NonceTracker();
    tracker.observe('app-a', 'n1', { at: start });
    expect(tracker.observe('app-b', 'n1', { at: after(1) }).replay).toBe(false);
  });

  it('keeps AppId and nonce apart even when they contain colons', () => {
    const tracker = new NonceTracker();
    tracker.observe('a:b', 'c', { at: start });
    expect(tracker.observe('a', 'b:c', { at: after(1) }).replay).toBe(false);
  });

  it('does not report a nonce seen again after the window (the timestamp check covers that)', () => {
    const tracker = new NonceTracker({ windowSec: 60 });
    tracker.observe('app', 'n1', { at: start });
    expect(tracker.observe('app', 'n1', { at: after(61) }).replay).toBe(false);
  });

  it('skips callbacks without recording them (partner spec 004)', () => {
    const tracker = new NonceTracker();
    expect(tracker.observe('app', 'n1', { at: start, isCallback: true })).toEqual({ replay: false, skipped: true });
    expect(tracker.observe('app', 'n1', { at: after(1), isCallback: true }).replay).toBe(false);
    expect(tracker.observe('app', 'n1', { at: after(2) }).replay).toBe(false);
  });

  it('uses the injected clock when an observation has no time', () => {
    let now = start;
    const tracker = new NonceTracker({ clock: () => now });
    tracker.observe('app', 'n1');
    now = after(10);
    expect(tracker.observe('app', 'n1')).toMatchObject({ replay: true, previousAt: start });
  });

  it('forgets nonces that have left the window, so a long capture does not grow without bound', () => {
    const tracker = new NonceTracker({ windowSec: 300 });
    for (let index = 0; index < 5000; index += 1) tracker.observe('app', `n${index}`, { at: after(index * 10) });
    expect(tracker.size).toBeLessThan(1100);
    expect(tracker.observe('app', 'n4999', { at: after(49_995) }).replay).toBe(true);
  });
});
