import { createHash } from 'node:crypto';
import { setTimeout as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { sampleEventLoop } from '../../../bench/event-loop.ts';

/** Holds the thread with CPU work (not a sleep), as a long synchronous verification would. */
function blockTheLoop(rounds: number): void {
  let digest = Buffer.alloc(32);
  for (let round = 0; round < rounds; round++) digest = createHash('sha256').update(digest).digest();
}

describe('the event-loop delay sampler', () => {
  it('reports ordered percentiles in milliseconds once the loop has turned', async () => {
    const sampler = sampleEventLoop(5);
    for (let turn = 0; turn < 50 && sampler.samples < 3; turn++) {
      blockTheLoop(20_000);
      await tick(5);
    }
    const delay = sampler.stop();
    expect(delay.samples).toBeGreaterThanOrEqual(3);
    expect(delay.p50Ms).toBeGreaterThan(0);
    expect(delay.p99Ms).toBeGreaterThanOrEqual(delay.p50Ms);
    expect(delay.maxMs).toBeGreaterThanOrEqual(delay.p99Ms);
  });

  it('stops sampling when stopped', async () => {
    const sampler = sampleEventLoop(5);
    await tick(5);
    sampler.stop();
    const after = sampler.samples;
    await tick(20);
    expect(sampler.samples).toBe(after);
  });
});
