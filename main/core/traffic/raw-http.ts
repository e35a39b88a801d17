import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';
import type { Line } from './byte-reader.ts';
import { ByteReader } from './byte-reader.ts';
import type { CaptureItem, Exchange, Header, HttpRequest, HttpResponse, ReaderOptions, UnreadablePart } from './exchange.ts';
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_HEADER_BYTES, headersDeclareBody, headerValue } from './exchange.ts';
import { isBlank, isStartLine, parseHeaderLine, parseRequestLine, parseStatusLine } from './http-lines.ts';
import type { RequestLine, StatusLine } from './http-lines.ts';
import { byteChunks, throwIfAborted } from './source.ts';
import { messageAfterBlankLine, skipToStartLine, startLineIn, whatFollows } from './content-length.ts';

/**
 * Reads raw HTTP/1.1 text as pasted from a terminal: request/response pairs, CRLF or bare LF, a
 * body framed by Content-Length, chunked transfer coding, or (pasted text often has neither, or a
 * stale one was deleted) running until the next request or status line. A response may be absent.
 * A message that breaks the grammar is yielded as `malformed` and reading resumes at the next
 * request line; only a file that does not start with a request line throws ERR_HTTP_MALFORMED.
 * A Content-Length that disagrees with the text makes that body unreadable (see `readLength`).
 */
export async function* readRawHttp(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<CaptureItem> {
  const limits: Limits = {
    maxEntryBytes: options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES,
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
  };
  const chunks = byteChunks(source, options);
  const reader = new ByteReader(chunks);
  try {
    let index = 0;
    for (;;) {
      throwIfAborted(options.signal);
      const line = await nextNonBlankLine(reader, limits.maxHeaderBytes);
      if (line === null) {
        if (index === 0) throw new SignetError('ERR_HTTP_MALFORMED', 'not a raw HTTP capture: the file has no request in it');
        return;
      }
      const offset = reader.offset;
      const requestLine = line === 'too-long' ? null : parseRequestLine(line.bytes);
      if (line === 'too-long' || requestLine === null) {
        if (index === 0 && line === 'too-long') throw new SignetError('ERR_HTTP_MALFORMED', `not a raw HTTP capture: the first line is longer than ${limits.maxHeaderBytes} bytes`);
        if (index === 0) throw new SignetError('ERR_HTTP_MALFORMED', `not a raw HTTP capture: the text at byte ${offset} is not a request line (e.g. "GET /path HTTP/1.1")`);
        const orphanResponse = line !== 'too-long' && parseStatusLine(line.bytes) !== null;
        await skipToRequestLine(reader, limits.maxHeaderBytes);
        const reason = orphanResponse ? 'a response with no request before it' : 'text that is not an HTTP message (expected a request line)';
        yield { kind: 'malformed', entry: { index: index++, offset, reason } };
        continue;
      }
      const item = await readExchange(reader, line, requestLine, index++, limits);
      if (item.kind === 'malformed') await skipToRequestLine(reader, limits.maxHeaderBytes);
      yield item;
    }
  } finally {
    await chunks.return(undefined);
  }
}

interface Limits {
  maxEntryBytes: number;
  maxHeaderBytes: number;
}

interface Message {
  headers: Header[];
  body: Buffer | null;
  bodyCapture?: 'missing';
  /** Why the body cannot be told (it is then null): its side gets a malformed finding and no verdicts. */
  unreadable?: string;
}

type Outcome<T> = T | { problem: string };
type BodyOutcome = Outcome<Buffer | null> | { unreadable: string };

async function readExchange(reader: ByteReader, line: Line, requestLine: RequestLine, index: number, limits: Limits): Promise<CaptureItem> {
  const offset = line.offset;
  const malformed = (reason: string): CaptureItem => ({ kind: 'malformed', entry: { index, offset, reason } });
  reader.consume(line.consumed);
  const requestMessage = await readMessage(reader, { kind: 'request' }, limits, limits.maxEntryBytes);
  if (isProblem(requestMessage)) return malformed(`request: ${requestMessage.problem}`);
  const request: HttpRequest = {
    method: requestLine.method,
    url: urlOf(requestLine.target, requestMessage.headers),
    httpVersion: requestLine.httpVersion,
    headers: requestMessage.headers,
    body: requestMessage.body,
  };
  setBodyFields(request, requestMessage);
  const unreadable: UnreadablePart[] = [];
  if (requestMessage.unreadable !== undefined) {
    // No readable copy of the body: stored, shown and exported as one the capture did not record.
    request.bodyCapture = 'missing';
    unreadable.push({ direction: 'request', location: 'body', reason: requestMessage.unreadable });
  }

  let response: HttpResponse | null = null;
  for (;;) {
    const next = await nextNonBlankLine(reader, limits.maxHeaderBytes);
    const statusLine = next === null || next === 'too-long' ? null : parseStatusLine(next.bytes);
    if (next === null || next === 'too-long' || statusLine === null) break;
    reader.consume(next.consumed);
    const budget = limits.maxEntryBytes - (request.body?.length ?? 0);
    const responseMessage = await readMessage(reader, { kind: 'response', method: request.method, status: statusLine.status }, limits, budget);
    if (isProblem(responseMessage)) return malformed(`response: ${responseMessage.problem}`);
    // 1xx (other than 101) are interim responses; the final one follows (RFC 9110 §15.2).
    if (statusLine.status >= 100 && statusLine.status < 200 && statusLine.status !== 101) continue;
    response = responseFrom(statusLine, responseMessage);
    if (responseMessage.unreadable !== undefined) {
      response.bodyCapture = 'missing';
      unreadable.push({ direction: 'response', location: 'body', reason: responseMessage.unreadable });
    }
    break;
  }
  const startedAt = dateHeader(response?.headers) ?? dateHeader(request.headers);
  const exchange: Exchange = { index, startedAt, request, response };
  if (unreadable.length > 0) exchange.unreadable = unreadable;
  return { kind: 'exchange', exchange, offset, length: reader.offset - offset };
}

type Framing = { kind: 'request' } | { kind: 'response'; method: string; status: number };

/** Headers and body of a message whose start line was consumed; `budget` bounds the body. */
async function readMessage(reader: ByteReader, framing: Framing, limits: Limits, budget: number): Promise<Outcome<Message>> {
  const headers = await readHeaders(reader, limits.maxHeaderBytes);
  if (isProblem(headers)) return headers;
  // Headers copied without the blank line that ends them ("copy request headers", curl -v) have no body
  // after them, whatever they declare: the next message is not read as one.
  if (!headers.blankLine) return { headers: headers.list, body: null, ...(declaresBody(framing, headers.list) && { bodyCapture: 'missing' as const }) };
  const body = await readBody(reader, framing, headers.list, limits, budget);
  if (isProblem(body)) return body;
  if (isUnreadable(body)) return { headers: headers.list, body: null, unreadable: body.unreadable };
  return { headers: headers.list, body };
}

/** `blankLine`: the section ended with a blank line, as a message does, rather than at the next message or the end. */
async function readHeaders(reader: ByteReader, maxHeaderBytes: number): Promise<Outcome<{ list: Header[]; blankLine: boolean }>> {
  const list: Header[] = [];
  let used = 0;
  for (;;) {
    const line = await reader.peekLine(maxHeaderBytes - used);
    if (line === null) return { list, blankLine: false }; // pasted text may stop right after the last header
    if (line === 'too-long') return { problem: `the header section is longer than ${maxHeaderBytes} bytes` };
    // Text copied from browser tools may lack the blank line between a request and its response.
    if (isStartLine(line.bytes)) return { list, blankLine: false };
    reader.consume(line.consumed);
    used += line.consumed;
    if (line.bytes.length === 0) return { list, blankLine: true };
    const header = parseHeaderLine(line.bytes);
    if (typeof header === 'string') return { problem: header };
    list.push(header);
  }
}

/** Message body length rules of RFC 9112 §6.3, with pasted text's "until the next message". */
async function readBody(reader: ByteReader, framing: Framing, headers: Header[], limits: Limits, budget: number): Promise<BodyOutcome> {
  if (!mayHaveBody(framing)) return null;
  const transferEncoding = headerValue(headers, 'transfer-encoding');
  const lengths = headers.filter((header) => header.name.toLowerCase() === 'content-length').map((header) => header.value);
  if (transferEncoding !== undefined) {
    if (lengths.length > 0) return { problem: 'both Transfer-Encoding and Content-Length are present (a request smuggling pattern, RFC 9112 §6.3)' };
    const codings = transferEncoding.toLowerCase().split(',').map((coding) => coding.trim());
    if (codings[codings.length - 1] === 'chunked') return readChunked(reader, limits, budget);
    if (framing.kind === 'request') return { problem: `Transfer-Encoding "${codings.join(', ')}" does not end with chunked (RFC 9112 §6.3)` };
    return readUntilNextMessage(reader, limits, budget);
  }
  if (lengths.length > 0) {
    const distinct = new Set(lengths.flatMap((value) => value.split(',').map((part) => part.trim())));
    const [only] = distinct;
    if (distinct.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) return { problem: 'Content-Length is not one decimal number (RFC 9112 §6.3)' };
    return readLength(reader, Number(only), headers, limits, budget);
  }
  return readUntilNextMessage(reader, limits, budget);
}

function mayHaveBody(framing: Framing): boolean {
  if (framing.kind === 'request') return true;
  const { method, status } = framing;
  return !(method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304);
}

function declaresBody(framing: Framing, headers: Header[]): boolean {
  return mayHaveBody(framing) && headersDeclareBody(headers);
}

const COMPRESSED = /^\s*(x-gzip|gzip|br|deflate|zstd|compress)\b/i;

/** Bodies that hold HTTP messages of their own (batch requests): a start line inside them is content. */
const CARRIES_MESSAGES = /^\s*(?:multipart\/|message\/http|application\/http)/i;

/**
 * A body framed by Content-Length. Pasted captures often carry a length that is no longer true (a body
 * shown decompressed under its gzip length, an edited body): read blindly, the body takes in the start
 * of the next message or leaves its own end behind, its signature is judged over the wrong bytes, and
 * the leftover text becomes a phantom exchange that shifts every later number. So the length must agree
 * with the text: what follows the body is the end, blank lines or a start line, and the body holds no
 * empty line followed by a start line (unless its type carries messages). Where they disagree, this body
 * is unreadable (one malformed finding, no verdicts: the bytes signed cannot be told for sure, and a
 * re-framed body would be a guess) and reading resumes at the next start line, inside the declared
 * body or after it, so the exchanges that follow are read and numbered as in the text.
 */
async function readLength(reader: ByteReader, length: number, headers: Header[], limits: Limits, budget: number): Promise<BodyOutcome> {
  const keep = length <= budget;
  const { bytes, read } = await reader.readBytes(length, keep);
  const endsEarly = { problem: `the body ends early: Content-Length is ${length} but only ${read} bytes follow` };
  if (bytes === null) return read < length ? endsEarly : { problem: tooLarge(length, limits) };
  // The usual cause, worth naming: tools show a compressed body decoded, under the compressed length.
  const coding = COMPRESSED.exec(headerValue(headers, 'content-encoding') ?? '')?.[1];
  const decoded = coding ? `; with Content-Encoding ${coding.toLowerCase()}, the body was probably pasted decoded` : '';
  const disagrees = (detail: string) => ({ unreadable: `Content-Length ${length} disagrees with the text (${detail}${decoded})` });
  const resyncAt = (start: number, separators: Buffer[]) => {
    reader.unread(Buffer.concat([bytes.subarray(start), ...separators]));
    return disagrees(`the next message starts at byte ${start} of the body`);
  };
  if (read < length) {
    // The text ends inside the declared body: a message there means the length is wrong, else the paste was cut.
    const start = startLineIn(bytes, Buffer.alloc(0), limits.maxHeaderBytes);
    return start === null ? endsEarly : resyncAt(start, []);
  }
  const follows = await whatFollows(reader, limits.maxHeaderBytes);
  if (follows.kind === 'text') {
    const start = startLineIn(bytes, follows.sameLine, limits.maxHeaderBytes);
    if (start !== null) return resyncAt(start, follows.separators);
    return disagrees(`the text goes on for ${await skipToStartLine(reader, limits.maxHeaderBytes)} bytes past it before the next message`);
  }
  const contentType = headerValue(headers, 'content-type');
  if (contentType === undefined || !CARRIES_MESSAGES.test(contentType)) {
    const start = messageAfterBlankLine(bytes, limits.maxHeaderBytes);
    if (start !== null) return resyncAt(start, follows.separators);
  }
  return bytes.length === 0 ? null : bytes;
}

async function readChunked(reader: ByteReader, limits: Limits, budget: number): Promise<Outcome<Buffer | null>> {
  const pieces: Buffer[] = [];
  let total = 0;
  for (;;) {
    const sizeLine = await reader.peekLine(1024);
    if (sizeLine === null) return { problem: 'the chunked body ends before its last chunk' };
    if (sizeLine === 'too-long') return { problem: 'a chunk size line is too long' };
    reader.consume(sizeLine.consumed);
    const sizeText = sizeLine.bytes.toString('latin1').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) return { problem: 'a chunk size is not a hexadecimal number (RFC 9112 §7.1)' };
    const size = parseInt(sizeText, 16);
    if (size === 0) break;
    total += size;
    const keep = total <= budget;
    const data = await reader.readBytes(size, keep);
    if (data.read < size) return { problem: 'the chunked body ends inside a chunk' };
    if (data.bytes !== null) pieces.push(data.bytes);
    else pieces.length = 0;
    const after = await reader.peekLine(2);
    if (after === null) return { problem: 'the chunked body ends before its last chunk' };
    if (after === 'too-long' || after.bytes.length !== 0) return { problem: 'a chunk is longer than its declared size' };
    reader.consume(after.consumed);
  }
  const trailers = await readHeaders(reader, limits.maxHeaderBytes);
  if (isProblem(trailers)) return { problem: `trailer: ${trailers.problem}` };
  if (total > budget) return { problem: tooLarge(total, limits) };
  return total === 0 ? null : Buffer.concat(pieces, total);
}

/**
 * Pasted text without framing: the body runs to the next request or status line. The line breaks
 * that separate it from that line (or end the file) are taken as separators, not body bytes.
 */
async function readUntilNextMessage(reader: ByteReader, limits: Limits, budget: number): Promise<Outcome<Buffer | null>> {
  let pieces: Buffer[] | null = [];
  let total = 0;
  for (;;) {
    const line = await reader.peekLine(limits.maxHeaderBytes);
    if (line === null) break;
    if (line !== 'too-long' && isStartLine(line.bytes)) break;
    if (line === 'too-long') {
      total += await reader.passLine(pieces);
    } else {
      total += line.consumed;
      if (pieces === null) reader.consume(line.consumed);
      else pieces.push(reader.take(line));
    }
    if (total > budget) pieces = null;
  }
  if (pieces === null) return { problem: tooLarge(total, limits) };
  const body = Buffer.concat(pieces, total);
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d)) end--;
  return end === 0 ? null : body.subarray(0, end);
}

async function nextNonBlankLine(reader: ByteReader, limit: number): Promise<Line | 'too-long' | null> {
  for (;;) {
    const line = await reader.peekLine(limit);
    if (line === null || line === 'too-long') return line;
    if (!isBlank(line.bytes)) return line;
    reader.consume(line.consumed);
  }
}

/** After a malformed message: drop lines (however long) until the next request line. */
async function skipToRequestLine(reader: ByteReader, limit: number): Promise<void> {
  for (;;) {
    const line = await reader.peekLine(limit);
    if (line === null) return;
    if (line !== 'too-long' && parseRequestLine(line.bytes) !== null) return;
    if (line === 'too-long') await reader.passLine(null);
    else reader.consume(line.consumed);
  }
}

function responseFrom(statusLine: StatusLine, message: Message): HttpResponse {
  const response: HttpResponse = { ...statusLine, headers: message.headers, body: message.body };
  setBodyFields(response, message);
  return response;
}

function setBodyFields(target: HttpRequest | HttpResponse, message: Message): void {
  const contentType = headerValue(message.headers, 'content-type');
  if (message.body !== null && contentType) target.bodyMimeType = contentType;
  if (message.bodyCapture) target.bodyCapture = message.bodyCapture;
}

/**
 * Pasted text does not say whether it went over TLS; the API traffic Signet inspects does, so an
 * origin-form target is made absolute with https and the Host header (RFC 9112 §3.3).
 */
function urlOf(target: string, headers: Header[]): string {
  const host = headerValue(headers, 'host') ?? headerValue(headers, ':authority');
  if (target.startsWith('/') && host) return `https://${host}${target}`;
  return target;
}

/** The `Date` header is the only clock a pasted exchange carries (RFC 9110 §6.6.1). */
function dateHeader(headers: Header[] | undefined): Date | null {
  const value = headers === undefined ? undefined : headerValue(headers, 'date');
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function tooLarge(length: number, limits: Limits): string {
  return `the body is ${length} bytes, more than the ${limits.maxEntryBytes}-byte limit for one exchange allows; skipped`;
}

function isProblem<T>(outcome: Outcome<T>): outcome is { problem: string } {
  return typeof outcome === 'object' && outcome !== null && 'problem' in outcome;
}

function isUnreadable(outcome: Buffer | null | { unreadable: string }): outcome is { unreadable: string } {
  return outcome !== null && 'unreadable' in outcome;
}
