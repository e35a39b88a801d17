import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../main/core/errors.ts';
import { readHar } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, minimalEntry, summarize } from './helpers.ts';

// Strings that stress the scanner at a chunk boundary: escapes (including runs of backslashes
// before a quote), brackets inside strings, multi-byte UTF-8, and strings long enough to take
// the memchr path (over 128 bytes).
const tricky = [
  'quote \\" inside',
  'ends with a backslash \\\\',
  'three backslashes then quote \\\\\\"',
  '{[}] brackets in text',
  'déjà ✓ 日本 🎉',
  `${'long '.repeat(40)}\\"${'x'.repeat(100)}\\\\\\\\`,
  `${'é'.repeat(90)}🎉${'\\\\'.repeat(7)}`,
];

function trickyHar(): Buffer {
  const entries = tricky.map((value, position) =>
    JSON.stringify(
      minimalEntry(`https://api.example/${position}?q=${encodeURIComponent(value.slice(0, 10))}`, {
        _note: JSON.parse(`"${value}"`) as string,
        _nested: { list: [1, -2.5e3, true, false, null, { '✓ key': [[], {}] }] },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          headers: [{ name: 'X-Échoué', value: JSON.parse(`"${value}"`) as string }],
          content: position % 2 === 0 ? { text: JSON.parse(`"${value}"`) as string } : { text: Buffer.from(value).toString('base64'), encoding: 'base64' },
        },
      }),
    ),
  );
  entries.splice(3, 0, '{"request": {"method": "GET", "url": 7}}'); // malformed on its own
  entries.splice(5, 0, JSON.stringify(minimalEntry('/too-big', { _padding: 'z'.repeat(3000) }))); // over the limit below
  const fileText = `{"comment": "before \\"log\\" {[", "log": {"entr\\u0069es": [\n${entries.join(',\n')}\n], "creator": {"name": "✓"}, "version": "1.2"}}\n`;
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytesOf(fileText)]);
}

const options = { maxEntryBytes: 2048 };

async function readChunks(bytes: Buffer, sizes: number[]): Promise<unknown> {
  try {
    return summarize(await collect(readHar(chunked(bytes, sizes), options)));
  } catch (error) {
    if (error instanceof SignetError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('HAR read in chunks of any size', () => {
  const bytes = trickyHar();

  it('reads the sample whole as expected', async () => {
    const items = (await readChunks(bytes, [bytes.length])) as { kind: string }[];
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'exchange', 'exchange', 'malformed', 'exchange', 'malformed', 'exchange', 'exchange', 'exchange']);
  });

  it('gives the same output whatever single byte position the data is split at', async () => {
    const expected = await readChunks(bytes, [bytes.length]);
    for (let split = 1; split < bytes.length; split++) {
      const actual = await readChunks(bytes, [split, bytes.length]);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ split, actual }).toEqual({ split, actual: expected });
    }
  });

  it('gives the same output in 1-byte chunks', async () => {
    expect(await readChunks(bytes, [1])).toEqual(await readChunks(bytes, [bytes.length]));
  });

  it('gives the same output for random chunk sizes', async () => {
    const expected = await readChunks(bytes, [bytes.length]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }), async (sizes) => {
        expect(await readChunks(bytes, sizes)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('reports the same error, at the same byte, for a truncated file however it is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: bytes.length - 2 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }), async (cut, sizes) => {
        const truncated = bytes.subarray(0, cut);
        expect(await readChunks(truncated, sizes)).toEqual(await readChunks(truncated, [truncated.length]));
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the source keeping its chunks: each chunk is overwritten after use', async () => {
    async function* reusingSource(): AsyncGenerator<Uint8Array> {
      const shared = new Uint8Array(13);
      for (let offset = 0; offset < bytes.length; offset += shared.length) {
        const piece = bytes.subarray(offset, offset + shared.length);
        shared.set(piece);
        yield shared.subarray(0, piece.length);
        shared.fill(0x41);
      }
    }
    const items = summarize(await collect(readHar(reusingSource(), options)));
    expect(items).toEqual(await readChunks(bytes, [bytes.length]));
  });
});
