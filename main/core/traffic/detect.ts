import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';
import type { CaptureItem, ReaderOptions } from './exchange.ts';
import { readHar } from './har.ts';
import { parseRequestLine, parseStatusLine } from './http-lines.ts';
import { readRawHttp } from './raw-http.ts';
import { asBuffer, throwIfAborted } from './source.ts';

/** How far the sniff reads while the first line has not ended; it never reads further. */
const SNIFF_LIMIT_BYTES = 16 * 1024;
const LONG_REQUEST_LINE_START = /^[A-Z]{3,10} (?:\/|https?:\/\/)/;

export type CaptureFormat = 'har' | 'raw-http';

/**
 * Reads a capture of either kind, chosen by its first non-whitespace bytes: `{` is a HAR, a request
 * line is raw HTTP. The bytes looked at are replayed to the reader, so nothing is read twice.
 */
export async function* readCapture(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<CaptureItem> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let handedOver = false;
  try {
    const format = await sniff(iterator, head, options.signal);
    const replayed = replay(head, iterator);
    handedOver = true;
    yield* format === 'har' ? readHar(replayed, options) : readRawHttp(replayed, options);
  } finally {
    if (!handedOver) await iterator.return?.();
  }
}

async function sniff(iterator: AsyncIterator<Uint8Array>, head: Buffer[], signal: AbortSignal | undefined): Promise<CaptureFormat> {
  let seen = 0;
  for (;;) {
    throwIfAborted(signal);
    const text = Buffer.concat(head, seen).toString('latin1');
    const start = text.replace(/^\xEF\xBB\xBF/, '').replace(/^[ \t\r\n]+/, '');
    if (start.startsWith('{')) return 'har';
    const lineEnd = start.indexOf('\n');
    if (lineEnd >= 0) return classifyFirstLine(start.slice(0, lineEnd));
    // A request line longer than the sniff (a huge URL): let the raw reader report it.
    if (seen >= SNIFF_LIMIT_BYTES) return LONG_REQUEST_LINE_START.test(start) ? 'raw-http' : classifyFirstLine(start);
    const next = await iterator.next();
    if (next.done) {
      if (start === '') throw new SignetError('ERR_HAR_MALFORMED', 'not a HAR or raw HTTP capture: the file is empty');
      return classifyFirstLine(start);
    }
    head.push(Buffer.from(next.value)); // a copy: a source may reuse its chunk buffers
    seen += next.value.byteLength;
  }
}

function classifyFirstLine(line: string): CaptureFormat {
  const bytes = Buffer.from(line.replace(/\r$/, ''), 'latin1');
  if (parseRequestLine(bytes) !== null) return 'raw-http';
  if (parseStatusLine(bytes) !== null) {
    throw new SignetError('ERR_HTTP_MALFORMED', 'not a raw HTTP capture: it starts with a response; paste the request before it');
  }
  throw new SignetError('ERR_HAR_MALFORMED', 'not a HAR or raw HTTP capture: it starts neither with "{" nor with a request line such as "GET /path HTTP/1.1"');
}

async function* replay(head: Buffer[], iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for (const chunk of head) yield chunk;
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        return;
      }
      yield asBuffer(next.value);
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}
