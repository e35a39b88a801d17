import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';
import type { CaptureItem, ReaderOptions } from './exchange.ts';
import { curlVerboseAsRawHttp } from './curl-verbose.ts';
import { readHar } from './har.ts';
import { parseRequestLine, parseStatusLine } from './http-lines.ts';
import { readRawHttp } from './raw-http.ts';
import { asBuffer, throwIfAborted } from './source.ts';

/** How far the sniff reads while the first line has not ended; it never reads further. */
const SNIFF_LIMIT_BYTES = 16 * 1024;
/** Enough bytes to tell gzip and UTF-16 from text before the first character decides. */
const ENCODING_SNIFF_BYTES = 4;
/** How far the NUL-every-other-byte test of UTF-16 without a byte order mark looks. */
const UTF16_SNIFF_BYTES = 64;
const LONG_REQUEST_LINE_START = /^[A-Z]{3,10} (?:\/|https?:\/\/)/;
/** `curl -v` output begins with a note ("* Trying…"), the request ("> GET…") or a warning about the command line. */
const CURL_VERBOSE_START = /^(?:[*>](?: |$)|Note: |Warning: )/;

export type CaptureFormat = 'har' | 'raw-http';

/**
 * Reads a capture of either kind, chosen by its first non-whitespace bytes: `{` is a HAR, a request
 * line is raw HTTP, and `curl -v` output is read as the raw HTTP it shows. The bytes looked at are
 * replayed to the reader, so nothing is read twice.
 */
export async function* readCapture(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<CaptureItem> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let handedOver = false;
  try {
    const format = await sniff(iterator, head, options.signal);
    const replayed = replay(head, iterator);
    handedOver = true;
    if (format === 'har') yield* readHar(replayed, options);
    else yield* readRawHttp(format === 'curl-verbose' ? curlVerboseAsRawHttp(replayed) : replayed, options);
  } finally {
    if (!handedOver) await iterator.return?.();
  }
}

type SniffedFormat = CaptureFormat | 'curl-verbose';

async function sniff(iterator: AsyncIterator<Uint8Array>, head: Buffer[], signal: AbortSignal | undefined): Promise<SniffedFormat> {
  let seen = 0;
  let ended = false;
  for (;;) {
    throwIfAborted(signal);
    if (ended || seen >= ENCODING_SNIFF_BYTES) {
      const start = textStart(Buffer.concat(head, seen));
      if (start.startsWith('{')) return 'har';
      const lineEnd = start.indexOf('\n');
      if (lineEnd >= 0) return classifyFirstLine(start.slice(0, lineEnd));
      // A request line longer than the sniff (a huge URL): let the raw reader report it.
      if (seen >= SNIFF_LIMIT_BYTES) return LONG_REQUEST_LINE_START.test(start) ? 'raw-http' : classifyFirstLine(start);
      if (ended) {
        if (start === '') throw new SignetError('ERR_HAR_MALFORMED', 'not a HAR or raw HTTP capture: the file is empty');
        return classifyFirstLine(start);
      }
    }
    const next = await iterator.next();
    if (next.done) ended = true;
    else {
      head.push(Buffer.from(next.value)); // a copy: a source may reuse its chunk buffers
      seen += next.value.byteLength;
    }
  }
}

/**
 * Whether a capture is a HAR, from its first bytes (a few hundred), for a caller that picks a reader
 * before reading. Refuses gzip and UTF-16 by name as `readCapture` does: a big capture read another way
 * must not get a generic error instead.
 */
export function startsAsHar(head: Buffer): boolean {
  return textStart(head).startsWith('{');
}

/** The text a capture starts with, after a UTF-8 byte order mark and blank space; gzip and UTF-16 refused. */
function textStart(bytes: Buffer): string {
  refuseEncodedText(bytes);
  return bytes.toString('latin1').replace(/^\xEF\xBB\xBF/, '').replace(/^[ \t\r\n]+/, '');
}

/** Text a capture is often saved as by mistake: said plainly, rather than "not a HAR or raw HTTP capture". */
function refuseEncodedText(bytes: Buffer): void {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new SignetError('ERR_HAR_MALFORMED', 'the file is gzip-compressed: gunzip it first');
  const bom = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (bom || looksUtf16(bytes.subarray(0, UTF16_SNIFF_BYTES))) throw new SignetError('ERR_HAR_MALFORMED', 'the file is UTF-16 text: save it as UTF-8');
}

/** ASCII in UTF-16 without a byte order mark: a NUL every other byte (after each character, or before). */
function looksUtf16(bytes: Buffer): boolean {
  const pairs = Math.floor(bytes.length / 2);
  if (pairs < 2) return false;
  let nulFirst = 0;
  let nulSecond = 0;
  for (let pair = 0; pair < pairs; pair++) {
    if (bytes[2 * pair] === 0) nulFirst++;
    if (bytes[2 * pair + 1] === 0) nulSecond++;
  }
  return (nulSecond === pairs && nulFirst === 0) || (nulFirst === pairs && nulSecond === 0);
}

function classifyFirstLine(line: string): SniffedFormat {
  const text = line.replace(/\r$/, '');
  if (CURL_VERBOSE_START.test(text)) return 'curl-verbose';
  const bytes = Buffer.from(text, 'latin1');
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
