import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignetError } from '../../main/core/errors.ts';
import { readCapture, readHar, readRawHttp, type CaptureItem, type ReaderOptions } from '../../main/core/traffic/index.ts';
import { harText } from '../support/capture.ts';
import { budget, checkFailure, checkMessage, chunkSizes, MARKER, mutated } from './support.ts';

// Captures come from strangers: every byte of a HAR or raw HTTP file is hostile input here.

const bearer = `Bearer ${MARKER}.${MARKER}.${MARKER}`;
const HAR_SEEDS = [
  harText([
    { method: 'POST', url: 'https://api.klix.test/orders', headers: { Authorization: bearer, 'X-KLIX-Api-Key': MARKER }, body: `{"card":"${MARKER}"}` },
    { method: 'GET', url: 'https://api.klix.test/status', response: { status: 200, headers: { Signature: `eyJhbGciOiJFUzI1NiJ9..${MARKER}` }, body: '{"ok":true}' } },
  ]),
  JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'firefox', version: '1' },
      entries: [
        {
          startedDateTime: '2026-06-01T12:00:00Z',
          request: { method: 'POST', url: 'https://a.test/form', httpVersion: 'HTTP/2', headers: [], postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'secret', value: MARKER }] } },
          response: { status: 200, statusText: '', httpVersion: 'HTTP/2', headers: [], content: { mimeType: 'application/octet-stream', encoding: 'base64', text: Buffer.from(MARKER).toString('base64') } },
        },
        { startedDateTime: 'not a date', request: { method: 'GET', url: '/relative', headers: [{ name: 'Cookie', value: `sid=${MARKER}` }] }, response: { status: 0 } },
      ],
      pages: [{ id: 'p' }],
    },
  }, null, 2),
].map((text) => Buffer.from(text));

const RAW_SEEDS = [
  `POST /orders HTTP/1.1\r\nHost: api.klix.test\r\nAuthorization: ${bearer}\r\nContent-Length: 14\r\n\r\n{"amount":500}\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  `GET /a HTTP/1.1\nHost: x.test\nX-OPG: ${MARKER}\n\nGET /b HTTP/1.1\nHost: x.test\n\nbody without framing ${MARKER}\nHTTP/1.1 100 Continue\n\nHTTP/1.1 204 No Content\n\n`,
].map((text) => Buffer.from(text));

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let turn = 0; offset < bytes.length; turn++) {
    const size = sizes[turn % sizes.length] ?? bytes.length;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** What a reader produced before it stopped, and why it stopped, in comparable form. */
async function readAll(reader: (source: AsyncIterable<Uint8Array>, options?: ReaderOptions) => AsyncGenerator<CaptureItem>, bytes: Buffer, sizes: number[], options: ReaderOptions = {}) {
  const items: unknown[] = [];
  let failure: { code: string; message: string } | undefined;
  try {
    for await (const item of reader(chunked(bytes, sizes), options)) {
      if (item.kind === 'malformed') checkMessage(item.entry.reason);
      items.push(JSON.parse(JSON.stringify(item, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value))));
    }
  } catch (error) {
    const checked = checkFailure(error);
    failure = { code: checked.code, message: checked.message };
  }
  return { items, failure };
}

const FORMAT_CODES = new Set(['ERR_HAR_MALFORMED', 'ERR_HTTP_MALFORMED']);

describe('HAR reader under mutation', () => {
  it('yields exchanges or malformed entries, or throws ERR_HAR_MALFORMED; never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(HAR_SEEDS), async (bytes) => {
        const { failure } = await readAll(readHar, bytes, [bytes.length]);
        if (failure) expect(FORMAT_CODES.has(failure.code)).toBe(true);
      }),
      budget(600),
    );
  });

  it('reads the same whatever the chunk boundaries (streaming state carries over correctly)', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(HAR_SEEDS, 3), chunkSizes, async (bytes, sizes) => {
        expect(await readAll(readHar, bytes, sizes)).toEqual(await readAll(readHar, bytes, [bytes.length]));
      }),
      budget(300),
    );
  });

  it('keeps its limits under mutation: no entry over maxEntryBytes is parsed', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(HAR_SEEDS), fc.integer({ min: 64, max: 2048 }), async (bytes, maxEntryBytes) => {
        const { items } = await readAll(readHar, bytes, [bytes.length], { maxEntryBytes });
        for (const item of items as { kind: string; length?: number }[]) if (item.kind === 'exchange') expect(item.length).toBeLessThanOrEqual(maxEntryBytes);
      }),
      budget(200),
    );
  });
});

describe('raw HTTP reader under mutation', () => {
  it('yields exchanges or malformed items, or throws ERR_HTTP_MALFORMED; never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(RAW_SEEDS), async (bytes) => {
        const { failure } = await readAll(readRawHttp, bytes, [bytes.length]);
        if (failure) expect(failure.code).toBe('ERR_HTTP_MALFORMED');
      }),
      budget(600),
    );
  });

  it('reads the same whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(RAW_SEEDS, 3), chunkSizes, async (bytes, sizes) => {
        expect(await readAll(readRawHttp, bytes, sizes)).toEqual(await readAll(readRawHttp, bytes, [bytes.length]));
      }),
      budget(300),
    );
  });

  it('never keeps a header section over maxHeaderBytes', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(RAW_SEEDS), fc.integer({ min: 16, max: 256 }), async (bytes, maxHeaderBytes) => {
        const { items } = await readAll(readRawHttp, bytes, [bytes.length], { maxHeaderBytes });
        for (const item of items as { kind: string; exchange?: { request: { headers: { name: string; value: string }[] } } }[]) {
          if (item.kind !== 'exchange' || !item.exchange) continue;
          const headerBytes = item.exchange.request.headers.reduce((sum, header) => sum + header.name.length + header.value.length + 2, 0);
          expect(headerBytes).toBeLessThanOrEqual(maxHeaderBytes);
        }
      }),
      budget(200),
    );
  });
});

describe('capture sniffing', () => {
  it('classifies any bytes as HAR or raw HTTP, or refuses them with a format error', async () => {
    const anyBytes = fc.oneof(mutated([...HAR_SEEDS, ...RAW_SEEDS]), fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)));
    await fc.assert(
      fc.asyncProperty(anyBytes, chunkSizes, async (bytes, sizes) => {
        const { failure } = await readAll(readCapture, bytes, sizes);
        if (failure) expect(FORMAT_CODES.has(failure.code)).toBe(true);
      }),
      budget(500),
    );
  });

  it('stops at once when cancelled, with ERR_CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await readAll(readCapture, HAR_SEEDS[0] ?? Buffer.alloc(0), [7], { signal: controller.signal });
    expect(result.failure?.code).toBe('ERR_CANCELLED');
    expect(new SignetError('ERR_CANCELLED', 'x')).toBeInstanceOf(SignetError);
  });
});
