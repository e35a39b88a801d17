import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readHar } from '../../../main/core/traffic/index.ts';
import { minimalEntry } from './helpers.ts';

const MB = 1_000_000;
const FILE_BYTES = 50 * MB;

// Forcing a full collection before each sample measures what the reader keeps alive, not garbage
// that happens not to be collected yet, so the assertion does not depend on GC timing.
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** JS heap plus Buffer memory (bodies are Buffers, which live outside the heap). */
function retainedMemory(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** A HAR of about `totalBytes`, produced entry by entry: the file itself is never in memory. */
async function* generatedHar(totalBytes: number): AsyncGenerator<Uint8Array> {
  const templates = [200, 5_000, 60_000].map((size, position) =>
    JSON.stringify(
      minimalEntry('https://api.example/items/INDEX', {
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          content: position === 1 ? { text: randomBytes(size).toString('base64'), encoding: 'base64' } : { text: JSON.stringify({ data: 'd'.repeat(size) }) },
        },
      }),
    ),
  );
  yield Buffer.from('{"log": {"version": "1.2", "creator": {"name": "generator"}, "entries": [\n');
  let written = 0;
  for (let index = 0; written < totalBytes; index++) {
    const entry = (templates[index % templates.length] ?? '').replace('INDEX', String(index));
    const piece = Buffer.from(index === 0 ? entry : `,\n${entry}`);
    written += piece.length;
    yield piece;
  }
  yield Buffer.from('\n]}}\n');
}

describe('memory while reading a large HAR', () => {
  it('keeps retained memory far below the file size (50 MB HAR)', async () => {
    const baseline = retainedMemory();
    let peak = 0;
    let exchanges = 0;
    for await (const item of readHar(generatedHar(FILE_BYTES))) {
      if (item.kind !== 'exchange') throw new Error(`unexpected malformed entry ${item.entry.index}`);
      exchanges++;
      if (exchanges % 500 === 0) peak = Math.max(peak, retainedMemory() - baseline);
    }
    expect(exchanges).toBeGreaterThan(2000);
    expect(peak).toBeLessThan(5 * MB);
  });
});
