import { describe, expect, it } from 'vitest';
import { readCapture, readHar, readRawHttp } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, harText, minimalEntry } from './helpers.ts';

const MiB = 1024 * 1024;

function harOfSize(minBytes: number): Uint8Array {
  const entry = minimalEntry('https://a.example/x', { _padding: 'p'.repeat(10_000) });
  const count = Math.ceil(minBytes / 10_200);
  return bytesOf(harText(Array.from({ length: count }, () => entry)));
}

describe('cancelling a read', () => {
  it('stops with ERR_CANCELLED once the signal is aborted', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const item of readHar(chunked(harOfSize(200_000), [4096]), { signal: controller.signal })) {
        if (item.kind === 'exchange') seen.push(item.exchange.index);
        if (seen.length === 3) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('does not wait for a stalled source once aborted', async () => {
    const controller = new AbortController();
    let closed = false;
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => undefined),
        return: async () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const pending = readRawHttp(stalled, { signal: controller.signal }).next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(closed).toBe(true);
  });

  it('refuses to start with a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(readCapture(chunked(harOfSize(1000)), { signal: controller.signal }).next()).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(harOfSize(100_000), [1000]);
      } finally {
        closed = true;
      }
    }
    for await (const item of readCapture(source())) {
      expect(item.kind).toBe('exchange');
      break;
    }
    expect(closed).toBe(true);
  });
});

describe('progress', () => {
  it('reports bytes consumed about once per MiB, ending with the total', async () => {
    const bytes = harOfSize(5 * MiB);
    const reports: number[] = [];
    for await (const item of readHar(chunked(bytes, [64 * 1024]), { onProgress: (bytesRead) => reports.push(bytesRead) })) void item;
    expect(reports.at(-1)).toBe(bytes.length);
    expect(reports.length).toBeGreaterThanOrEqual(5);
    expect(reports.length).toBeLessThanOrEqual(6);
    reports.slice(0, -1).forEach((bytesRead, position) => expect(bytesRead - (reports[position - 1] ?? 0)).toBeGreaterThanOrEqual(MiB));
  });

  it('reports progress for raw HTTP too', async () => {
    const reports: number[] = [];
    const rawText = 'GET / HTTP/1.1\r\n\r\n';
    for await (const item of readRawHttp(chunked(bytesOf(rawText)), { onProgress: (bytesRead) => reports.push(bytesRead) })) void item;
    expect(reports).toEqual([rawText.length]);
  });
});
