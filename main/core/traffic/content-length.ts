import { Buffer } from 'node:buffer';
import type { ByteReader } from './byte-reader.ts';
import { isBlank, isStartLine } from './http-lines.ts';

// Where a body framed by Content-Length meets the text around it (raw-http.ts `readLength`): whether
// what follows is a next message, and where a next message starts inside the declared bytes.

const LF = 0x0a;
const CR = 0x0d;

/**
 * What comes after a body: fine when it is the end, or (after blank lines, taken as separators and kept
 * in case they must be read again) a start line; else `text`, with what follows the body on its own line.
 */
export async function whatFollows(reader: ByteReader, limit: number): Promise<{ kind: 'fine' | 'text'; separators: Buffer[]; sameLine: Buffer | null }> {
  const separators: Buffer[] = [];
  for (;;) {
    const line = await reader.peekLine(limit);
    if (line === null) return { kind: 'fine', separators, sameLine: null };
    if (line === 'too-long') return { kind: 'text', separators, sameLine: separators.length === 0 ? null : Buffer.alloc(0) };
    const sameLine = separators.length === 0 ? line.bytes : Buffer.alloc(0);
    if (isStartLine(line.bytes)) return { kind: 'fine', separators, sameLine };
    if (!isBlank(line.bytes)) return { kind: 'text', separators, sameLine };
    separators.push(reader.take(line));
  }
}

/**
 * Where the first line of `body` that is a start line begins, or null. Its last line may go on past the
 * body (`sameLine`: the rest of that line in the text; null when unknown, too long to be a start line).
 */
export function startLineIn(body: Buffer, sameLine: Buffer | null, limit: number): number | null {
  for (let start = 0; start < body.length; ) {
    const lf = body.indexOf(LF, start);
    if (lf < 0) return sameLine !== null && isStartLineWithin(Buffer.concat([body.subarray(start), sameLine]), limit) ? start : null;
    if (isStartLineWithin(lineAt(body, start), limit)) return start;
    start = lf + 1;
  }
  return null;
}

/**
 * Where a start line that follows an empty line (or opens the body) begins, or null: a next message
 * swallowed whole. Found with indexOf, as every body framed by Content-Length is looked through.
 */
export function messageAfterBlankLine(body: Buffer, limit: number): number | null {
  if (isStartLineWithin(lineAt(body, 0), limit)) return 0; // the header section's blank line is just before the body
  let first: number | null = null;
  for (const separator of EMPTY_LINES) {
    for (let at = body.indexOf(separator); at >= 0 && (first === null || at < first); at = body.indexOf(separator, at + 1)) {
      const start = at + separator.length;
      if (isStartLineWithin(lineAt(body, start), limit)) first = start;
    }
  }
  return first;
}

const EMPTY_LINES = [Buffer.from('\n\n'), Buffer.from('\n\r\n')];

/** The line of `body` that starts at `start`, without its line end (it may be cut by the body's end). */
function lineAt(body: Buffer, start: number): Buffer {
  const lf = body.indexOf(LF, start);
  return withoutCr(body.subarray(start, lf < 0 ? body.length : lf));
}

/** A line longer than the header limit is not a start line (the reader would refuse it as one): not worth decoding. */
function isStartLineWithin(line: Buffer, limit: number): boolean {
  return line.length <= limit && isStartLine(line);
}

function withoutCr(line: Buffer): Buffer {
  return line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

/** Drops the text up to the next start line (or the end); returns the bytes of text dropped, separators aside. */
export async function skipToStartLine(reader: ByteReader, limit: number): Promise<number> {
  const from = reader.offset;
  let textEnd = from;
  for (;;) {
    const line = await reader.peekLine(limit);
    if (line === null) return textEnd - from;
    if (line === 'too-long') {
      await reader.passLine(null);
      textEnd = reader.offset;
      continue;
    }
    if (isStartLine(line.bytes)) return textEnd - from;
    if (!isBlank(line.bytes)) textEnd = line.offset + line.bytes.length;
    reader.consume(line.consumed);
  }
}
