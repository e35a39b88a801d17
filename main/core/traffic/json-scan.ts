import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';

/**
 * Cuts a HAR's `log.entries` elements out of a byte stream, one byte range per entry, without ever
 * holding more than one entry. Hand-written on purpose: the reader must reach at least half the
 * throughput of `JSON.parse` over the same bytes (issue 7), which generic streaming JSON parsers
 * miss by an order of magnitude. So this only tracks what delimiting needs (strings, escapes,
 * bracket nesting, the keys of the top two objects) and leaves each entry to `JSON.parse`.
 * Long strings (bodies) are skipped with the native `indexOf`; nothing is decoded outside entries.
 */

export interface EntrySlice {
  index: number;
  /** Byte offset of the entry's first byte in the file. */
  offset: number;
  length: number;
  /** The entry's bytes; a view valid until the next `feed`. Null when larger than the limit. */
  bytes: Buffer | null;
}

export const MAX_NESTING = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

// Where the grammar is, outside the value being skipped or captured.
const BEFORE_ROOT = 0;
const OBJECT_START = 1; // after '{': a key or '}'
const OBJECT_NEXT_KEY = 2; // after ',': a key
const IN_KEY = 3;
const AFTER_KEY = 4; // ':'
const BEFORE_VALUE = 5;
const SKIP_VALUE = 6; // a value of no interest (creator, pages, comment…)
const AFTER_VALUE = 7; // ',' or '}'
const ENTRIES_START = 8; // after '[': an entry or ']'
const NEXT_ENTRY = 9; // after ',': an entry
const IN_ENTRY = 10;
const AFTER_ENTRY = 11; // ',' or ']'
const DONE = 12;

const NESTED = 0;
const STRING = 1;
const SCALAR = 2;

/** Strings shorter than this are scanned in JS; longer ones via memchr, which costs a native call. */
const SHORT_STRING = 128;
const MAX_KEY_BYTES = 256;
const MAX_SCALAR_CHARS = 512;
const SCALAR_VALUE = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

export class EntrySplitter {
  private readonly maxEntryBytes: number;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** File offset of `buf[0]`. */
  private base = 0;

  private mode = BEFORE_ROOT;
  /** 0 while in the root object, 1 while in `log`. */
  private level = 0;
  private sawLog = false;
  private sawEntries = false;

  private readonly stack = new Uint8Array(MAX_NESTING);
  private depth = 0;
  private valueKind = NESTED;
  private valueDepth = 0;
  private inString = false;
  private pendingEscape = false;
  private scalarText = '';
  private scalarOffset = 0;

  private keyStart = 0;
  private keyPieces: Buffer[] = [];
  private keyBytes = 0;
  private key: string | null = null;

  private entryIndex = 0;
  private entryOffset = 0;
  private entryStart = 0;
  private entryPieces: Buffer[] = [];
  private entryBytes = 0;
  private oversized = false;

  constructor(options: { maxEntryBytes: number }) {
    this.maxEntryBytes = options.maxEntryBytes;
  }

  /** Hands over the next chunk; call `next()` until it returns null before feeding again. */
  feed(chunk: Buffer): void {
    this.base += this.buf.length;
    this.buf = chunk;
    this.pos = 0;
    this.entryStart = 0;
    this.keyStart = 0;
  }

  /** The next complete entry in the current chunk, or null when the chunk is used up. */
  next(): EntrySlice | null {
    const buf = this.buf;
    const end = buf.length;
    let i = this.pos;
    while (i < end) {
      const mode = this.mode;
      if (mode === IN_ENTRY) {
        const stop = this.scanValue(buf, i);
        if (stop < 0) {
          this.keepEntryTail(buf);
          break;
        }
        this.pos = stop;
        this.mode = AFTER_ENTRY;
        return this.takeEntry(buf, stop);
      }
      if (mode === SKIP_VALUE) {
        i = this.scanValue(buf, i);
        if (i < 0) break;
        this.mode = AFTER_VALUE;
        continue;
      }
      if (mode === IN_KEY) {
        i = this.scanKey(buf, i);
        if (i < 0) break;
        this.mode = AFTER_KEY;
        continue;
      }
      const byte = buf[i];
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) {
        i++;
        continue;
      }
      i = this.grammar(byte, i);
    }
    this.pos = end;
    return null;
  }

  /** At the end of input: throws unless a complete HAR with `log.entries` was read. */
  finish(): void {
    const end = this.base + this.buf.length;
    if (this.mode === DONE) {
      if (!this.sawLog) this.raise(`not a HAR: the JSON has no "log" object (read ${end} bytes)`);
      if (!this.sawEntries) this.raise(`not a HAR: "log" has no "entries" array (read ${end} bytes)`);
      return;
    }
    if (this.mode === BEFORE_ROOT) this.raise('not a HAR: the file is empty');
    if (this.mode === IN_ENTRY) {
      this.raise(`HAR is truncated: the file ends at byte ${end}, inside entry ${this.entryIndex} (which starts at byte ${this.entryOffset})`);
    }
    this.raise(`HAR is truncated: the file ends at byte ${end}${this.context()}`);
  }

  private grammar(byte: number | undefined, i: number): number {
    switch (this.mode) {
      case BEFORE_ROOT: {
        const at = this.base + i;
        if (at < 3 && byte === BYTE_ORDER_MARK[at]) return i + 1;
        if (byte !== OPEN_BRACE) this.fail('not JSON: a HAR starts with "{", found', byte, i);
        this.push(OPEN_BRACE, i);
        this.mode = OBJECT_START;
        return i + 1;
      }
      case OBJECT_START:
        if (byte === CLOSE_BRACE) return this.closeObject(i);
        return this.startKey(byte, i);
      case OBJECT_NEXT_KEY:
        return this.startKey(byte, i);
      case AFTER_KEY:
        if (byte !== COLON) this.fail('not JSON: expected ":" after a property name, found', byte, i);
        this.mode = BEFORE_VALUE;
        return i + 1;
      case BEFORE_VALUE:
        return this.startPropertyValue(byte, i);
      case AFTER_VALUE:
        if (byte === COMMA) {
          this.mode = OBJECT_NEXT_KEY;
          return i + 1;
        }
        if (byte === CLOSE_BRACE) return this.closeObject(i);
        return this.fail('not JSON: expected "," or "}", found', byte, i);
      case ENTRIES_START:
        if (byte === CLOSE_BRACKET) return this.closeEntries(i);
        return this.startEntry(byte, i);
      case NEXT_ENTRY:
        return this.startEntry(byte, i);
      case AFTER_ENTRY:
        if (byte === COMMA) {
          this.mode = NEXT_ENTRY;
          return i + 1;
        }
        if (byte === CLOSE_BRACKET) return this.closeEntries(i);
        return this.fail('not JSON: expected "," or "]" after an entry, found', byte, i);
      default:
        return this.fail('unexpected data after the end of the HAR:', byte, i);
    }
  }

  private startKey(byte: number | undefined, i: number): number {
    if (byte !== QUOTE) this.fail('not JSON: expected a property name, found', byte, i);
    this.mode = IN_KEY;
    this.keyStart = i + 1;
    this.keyPieces = [];
    this.keyBytes = 0;
    return i + 1;
  }

  private startPropertyValue(byte: number | undefined, i: number): number {
    if (this.level === 0 && this.key === 'log') {
      if (byte !== OPEN_BRACE) this.fail('not a HAR: "log" is not an object, found', byte, i);
      this.push(OPEN_BRACE, i);
      this.sawLog = true;
      this.level = 1;
      this.mode = OBJECT_START;
      return i + 1;
    }
    if (this.level === 1 && this.key === 'entries') {
      if (byte !== OPEN_BRACKET) this.fail('not a HAR: "log.entries" is not an array, found', byte, i);
      this.push(OPEN_BRACKET, i);
      this.sawEntries = true;
      this.mode = ENTRIES_START;
      return i + 1;
    }
    this.mode = SKIP_VALUE;
    return this.startValue(byte, i);
  }

  private startEntry(byte: number | undefined, i: number): number {
    this.mode = IN_ENTRY;
    this.entryOffset = this.base + i;
    this.entryStart = i;
    this.entryBytes = 0;
    this.oversized = false;
    return this.startValue(byte, i);
  }

  /** Consumes the first byte of a value and sets up `scanValue` to find its end. */
  private startValue(byte: number | undefined, i: number): number {
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      this.valueKind = NESTED;
      this.valueDepth = this.depth;
      this.push(byte, i);
      return i + 1;
    }
    if (byte === QUOTE) {
      this.valueKind = STRING;
      return i + 1;
    }
    if (byte === 0x2d || (byte !== undefined && byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e) {
      this.valueKind = SCALAR;
      this.scalarText = '';
      this.scalarOffset = this.base + i;
      return i;
    }
    return this.fail('not JSON: expected a value, found', byte, i);
  }

  private closeObject(i: number): number {
    this.depth--;
    if (this.level === 1) {
      this.level = 0;
      this.mode = AFTER_VALUE;
    } else {
      this.mode = DONE;
    }
    return i + 1;
  }

  private closeEntries(i: number): number {
    this.depth--;
    this.mode = AFTER_VALUE;
    return i + 1;
  }

  private push(opener: number, i: number): void {
    if (this.depth >= MAX_NESTING) this.raise(`nesting deeper than ${MAX_NESTING} levels at byte ${this.base + i}${this.context()}`);
    this.stack[this.depth++] = opener;
  }

  /** Index just past the current value, or -1 when the chunk ends first (state kept for the next). */
  private scanValue(buf: Buffer, i: number): number {
    if (this.valueKind === NESTED) return this.scanNested(buf, i);
    if (this.valueKind === STRING) return this.scanString(buf, i);
    return this.scanScalar(buf, i);
  }

  private scanNested(buf: Buffer, start: number): number {
    let i = start;
    if (this.inString) {
      i = this.scanString(buf, i);
      if (i < 0) return -1;
      this.inString = false;
    }
    const end = buf.length;
    const stack = this.stack;
    const floor = this.valueDepth;
    let depth = this.depth;
    while (i < end) {
      const byte = buf[i++];
      // Most bytes outside strings are whitespace, digits, ':' or ','; one comparison rejects them.
      if (byte === undefined || (byte < OPEN_BRACKET && byte !== QUOTE)) continue;
      if (byte === QUOTE) {
        // Inlined short-string loop: most strings in an entry are names and header values.
        const shortEnd = i + SHORT_STRING < end ? i + SHORT_STRING : end;
        while (i < shortEnd) {
          const inner = buf[i];
          if (inner === QUOTE) break;
          i += inner === BACKSLASH ? 2 : 1;
        }
        if (i < shortEnd) {
          i++;
          continue;
        }
        i = this.scanLongString(buf, i);
        if (i < 0) {
          this.inString = true;
          this.depth = depth;
          return -1;
        }
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (depth >= MAX_NESTING) {
          this.depth = depth;
          this.raise(`nesting deeper than ${MAX_NESTING} levels at byte ${this.base + i - 1}${this.context()}`);
        }
        stack[depth++] = byte;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (stack[depth] !== byte - 2) {
          this.depth = depth;
          this.fail('not JSON: mismatched bracket', byte, i - 1);
        }
        if (depth === floor) {
          this.depth = depth;
          return i;
        }
      }
    }
    this.depth = depth;
    return -1;
  }

  /**
   * `start` is just past the opening quote, or the start of a later chunk. Returns the index just
   * past the closing quote, or -1 when the chunk ends inside the string.
   */
  private scanString(buf: Buffer, start: number): number {
    const end = buf.length;
    let i = start;
    if (this.pendingEscape) {
      this.pendingEscape = false;
      i++;
    }
    const shortEnd = i + SHORT_STRING < end ? i + SHORT_STRING : end;
    while (i < shortEnd) {
      const byte = buf[i];
      if (byte === QUOTE) return i + 1;
      i += byte === BACKSLASH ? 2 : 1;
    }
    return this.scanLongString(buf, i);
  }

  /** `i` is never just after an escaping backslash, and may be one past the chunk (escape at its end). */
  private scanLongString(buf: Buffer, start: number): number {
    const end = buf.length;
    if (start >= end) {
      this.pendingEscape = start > end;
      return -1;
    }
    // A quote is escaped exactly when an odd run of backslashes (after `start`) precedes it.
    let i = start;
    for (;;) {
      const quote = buf.indexOf(QUOTE, i);
      if (quote < 0) {
        this.pendingEscape = oddBackslashRun(buf, end, start);
        return -1;
      }
      if (!oddBackslashRun(buf, quote, start)) return quote + 1;
      i = quote + 1;
    }
  }

  private scanScalar(buf: Buffer, start: number): number {
    const end = buf.length;
    let i = start;
    while (i < end && isScalarByte(buf[i])) i++;
    if (this.scalarText.length + (i - start) > MAX_SCALAR_CHARS) this.raise(`not JSON: a value is too long at byte ${this.scalarOffset}${this.context()}`);
    this.scalarText += buf.toString('latin1', start, i);
    if (i === end) return -1;
    if (!SCALAR_VALUE.test(this.scalarText)) this.raise(`not JSON: "${this.scalarText}" is not a value at byte ${this.scalarOffset}${this.context()}`);
    return i;
  }

  private scanKey(buf: Buffer, i: number): number {
    const stop = this.scanString(buf, i);
    if (stop < 0) {
      this.keepKeyPiece(buf.subarray(this.keyStart));
      return -1;
    }
    this.keepKeyPiece(buf.subarray(this.keyStart, stop - 1));
    const raw = this.keyBytes > MAX_KEY_BYTES ? null : Buffer.concat(this.keyPieces);
    this.key = raw === null ? null : parseKey(raw);
    if (raw !== null && this.key === null) this.raise(`not JSON: invalid property name at byte ${this.base + stop}${this.context()}`);
    return stop;
  }

  private keepKeyPiece(piece: Buffer): void {
    this.keyBytes += piece.length;
    if (this.keyBytes <= MAX_KEY_BYTES) this.keyPieces.push(Buffer.from(piece));
  }

  private keepEntryTail(buf: Buffer): void {
    const tail = buf.subarray(this.entryStart);
    this.entryBytes += tail.length;
    if (this.oversized) return;
    if (this.entryBytes > this.maxEntryBytes) {
      // Keep scanning to find where it ends, but stop holding it: memory stays bounded by the limit.
      this.oversized = true;
      this.entryPieces = [];
      return;
    }
    this.entryPieces.push(Buffer.from(tail)); // a copy: a source may reuse its chunk buffers
  }

  private takeEntry(buf: Buffer, stop: number): EntrySlice {
    const length = this.base + stop - this.entryOffset;
    let bytes: Buffer | null = null;
    if (!this.oversized && length <= this.maxEntryBytes) {
      const last = buf.subarray(this.entryStart, stop);
      bytes = this.entryPieces.length === 0 ? last : Buffer.concat([...this.entryPieces, last], length);
    }
    if (this.entryPieces.length > 0) this.entryPieces = [];
    return { index: this.entryIndex++, offset: this.entryOffset, length, bytes };
  }

  private context(): string {
    if (this.mode === IN_ENTRY) return ` (inside entry ${this.entryIndex}, which starts at byte ${this.entryOffset})`;
    if (this.entryIndex > 0) return ` (after entry ${this.entryIndex - 1})`;
    return '';
  }

  private fail(message: string, byte: number | undefined, i: number): never {
    return this.raise(`${message} ${describeByte(byte)} at byte ${this.base + i}${this.context()}`);
  }

  private raise(message: string): never {
    throw new SignetError('ERR_HAR_MALFORMED', message);
  }
}

function oddBackslashRun(buf: Buffer, before: number, floor: number): boolean {
  let k = before - 1;
  while (k >= floor && buf[k] === BACKSLASH) k--;
  return ((before - 1 - k) & 1) === 1;
}

function isScalarByte(byte: number | undefined): boolean {
  if (byte === undefined) return false;
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x45;
}

function parseKey(raw: Buffer): string | null {
  try {
    const key: unknown = JSON.parse(`"${raw.toString('utf8')}"`);
    return typeof key === 'string' ? key : null;
  } catch {
    return null;
  }
}

export function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'the end of the data';
  if (byte >= 0x21 && byte <= 0x7e) return `"${String.fromCharCode(byte)}"`;
  return `byte 0x${byte.toString(16).padStart(2, '0')}`;
}
