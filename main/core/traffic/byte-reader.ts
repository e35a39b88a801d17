import { Buffer } from 'node:buffer';

/** One line of a raw HTTP capture, without its LF (and without the CR of a CRLF). */
export interface Line {
  /** File offset of the line's first byte. */
  offset: number;
  bytes: Buffer;
  /** Bytes to consume: the line plus its terminator (LF or CRLF; none on a last line). */
  consumed: number;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Pulls lines and byte runs off a chunk stream, holding at most one line (or the unread tail of
 * one chunk) at a time: long bodies are handed over, or discarded, as they arrive.
 */
export class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** File offset of `buf[0]`. */
  private base = 0;
  private ended = false;

  private readonly chunks: AsyncIterator<Buffer>;

  constructor(chunks: AsyncIterator<Buffer>) {
    this.chunks = chunks;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /**
   * The next line without consuming it; `'too-long'` when no LF comes within `limit` bytes;
   * null at the end of input.
   */
  async peekLine(limit: number): Promise<Line | 'too-long' | null> {
    let searchFrom = this.pos;
    for (;;) {
      const lf = this.buf.indexOf(LF, searchFrom);
      if (lf >= 0 && lf - this.pos <= limit) {
        const crlf = lf > this.pos && this.buf[lf - 1] === CR;
        const bytes = this.buf.subarray(this.pos, crlf ? lf - 1 : lf);
        return { offset: this.offset, bytes, consumed: lf + 1 - this.pos };
      }
      if (lf >= 0 || this.buf.length - this.pos > limit) return 'too-long';
      searchFrom = this.buf.length - this.pos;
      if (!(await this.more())) break;
      searchFrom += this.pos;
    }
    const rest = this.buf.length - this.pos;
    if (rest === 0) return null;
    return { offset: this.offset, bytes: this.buf.subarray(this.pos), consumed: rest };
  }

  consume(count: number): void {
    this.pos += count;
  }

  /** Consumes a peeked line and returns a copy of it with its terminator (for pasted bodies). */
  take(line: Line): Buffer {
    const copy = Buffer.from(this.buf.subarray(this.pos, this.pos + line.consumed));
    this.pos += line.consumed;
    return copy;
  }

  /**
   * Consumes through the next LF however far it is, copying into `sink` (or dropping, with null)
   * chunk by chunk rather than growing one buffer. Returns the number of bytes consumed.
   */
  async passLine(sink: Buffer[] | null): Promise<number> {
    let passed = 0;
    for (;;) {
      const lf = this.buf.indexOf(LF, this.pos);
      const stop = lf >= 0 ? lf + 1 : this.buf.length;
      if (sink !== null && stop > this.pos) sink.push(Buffer.from(this.buf.subarray(this.pos, stop)));
      passed += stop - this.pos;
      this.pos = stop;
      if (lf >= 0 || !(await this.more())) return passed;
    }
  }

  /**
   * Reads `count` bytes: `bytes` holds them (with `keep` false, they are dropped as they come and
   * `bytes` is null). `read` is below `count` when the input ended first; `bytes` then holds those.
   */
  async readBytes(count: number, keep: boolean): Promise<{ bytes: Buffer | null; read: number }> {
    const pieces: Buffer[] = [];
    let missing = count;
    for (;;) {
      const available = Math.min(missing, this.buf.length - this.pos);
      if (keep && available > 0) pieces.push(this.buf.subarray(this.pos, this.pos + available));
      this.pos += available;
      missing -= available;
      if (missing === 0) return { bytes: keep ? Buffer.concat(pieces, count) : null, read: count };
      // The chunk is about to be replaced: copy what is kept, a source may reuse its buffers.
      const last = pieces.length - 1;
      const tail = pieces[last];
      if (tail !== undefined) pieces[last] = Buffer.from(tail);
      if (!(await this.more())) return { bytes: keep ? Buffer.concat(pieces, count - missing) : null, read: count - missing };
    }
  }

  /**
   * Puts back the bytes consumed last (they must be exactly those, so offsets stay true): the start of
   * a message found inside a body whose declared length was wrong is read again as a message.
   */
  unread(bytes: Buffer): void {
    const rest = this.buf.subarray(this.pos);
    this.base = this.offset - bytes.length;
    this.buf = Buffer.concat([bytes, rest]);
    this.pos = 0;
  }

  /** True at the end of input (after trying to read more). */
  async atEnd(): Promise<boolean> {
    if (this.pos < this.buf.length) return false;
    return !(await this.more());
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const rest = this.buf.subarray(this.pos);
    this.base += this.pos;
    this.pos = 0;
    this.buf = rest.length === 0 ? next.value : Buffer.concat([rest, next.value]);
    return true;
  }
}
