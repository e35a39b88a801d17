import { Buffer } from 'node:buffer';

/**
 * Long `"text": "…"` values (HAR bodies) cut out of an ASCII entry before `JSON.parse`, and read
 * straight from the entry's bytes when the exchange needs them. `JSON.parse` scans strings at about
 * 1.3 GB/s while a base64 decode runs at over 10 GB/s, so on captures of base64 images most of the
 * reader's time was that scan (issue 7). Measured on the benchmark's mixed captures, the reader went
 * from 0.4 (10 MiB) and 0.7 (100 MiB) of the throughput of `JSON.parse` alone to 1.0 and 2.0.
 *
 * Each value is swapped for a placeholder string, `"\u0000<n>"`, in a skeleton of the entry.
 * The skeleton parses exactly when the entry does, to the same value but for the placeholders,
 * once every lifted value is known to be valid string content (`sound`):
 * - a value starts right after `:` and blanks, so its opening quote cannot close a string (the
 *   placeholder's backslash would then break the skeleton), and it ends at the first quote not
 *   escaped by an odd run of backslashes, which is where `JSON.parse` ends it too;
 * - U+0000 can only be written `\u0000` in JSON, so when the entry holds no such escape, every
 *   string starting with U+0000 in the parsed skeleton is a placeholder.
 */

const TEXT_KEY = Buffer.from('"text"', 'latin1');
const NUL_ESCAPE = Buffer.from('\\u0000', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const EQUALS = 0x3d;

/** Shorter values stay in the skeleton: below this, the cuts cost about what they save. */
const MIN_LIFTED_BYTES = 4096;
/**
 * Values are turned into strings this long at most: V8 makes those in its young generation (under
 * its 128 KiB object limit), measured 4 to 10 times cheaper than one string of a few hundred KiB.
 * A multiple of 4, for base64.
 */
const PIECE_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** Where a lifted value's content lies (between its quotes), and whether it was found valid JSON string content. */
interface Lifted {
  start: number;
  end: number;
  valid: boolean | undefined;
}

export class LiftedTexts {
  readonly skeleton: string;
  readonly #bytes: Buffer;
  readonly #lifted: Lifted[];

  /** The entry (ASCII: bytes and characters coincide) with its long text values lifted, or null when it has none. */
  static of(bytes: Buffer): LiftedTexts | null {
    if (bytes.length < MIN_LIFTED_BYTES) return null;
    const lifted: Lifted[] = [];
    for (let key = bytes.indexOf(TEXT_KEY); key >= 0; ) {
      const start = valueStart(bytes, key + TEXT_KEY.length);
      const end = start < 0 ? -1 : stringEnd(bytes, start);
      if (end - start >= MIN_LIFTED_BYTES) lifted.push({ start, end, valid: undefined });
      key = bytes.indexOf(TEXT_KEY, end < 0 ? key + TEXT_KEY.length : end + 1);
    }
    if (lifted.length === 0 || bytes.includes(NUL_ESCAPE)) return null;
    return new LiftedTexts(bytes, lifted);
  }

  private constructor(bytes: Buffer, lifted: Lifted[]) {
    this.#bytes = bytes;
    this.#lifted = lifted;
    let skeleton = '';
    let copied = 0;
    lifted.forEach(({ start, end }, slot) => {
      skeleton += `${bytes.toString('latin1', copied, start)}\\u0000${slot}`;
      copied = end;
    });
    this.skeleton = skeleton + bytes.toString('latin1', copied);
  }

  /**
   * For a placeholder whose value is plain base64 (hence also valid string content, as nothing
   * needs escaping): the decoded bytes. Otherwise undefined.
   */
  base64(text: string): Buffer | undefined {
    const lifted = this.#find(text);
    if (lifted === undefined) return undefined;
    const { start, end } = lifted;
    const padding = this.#bytes[end - 1] !== EQUALS ? 0 : this.#bytes[end - 2] !== EQUALS ? 1 : 2;
    const decoded = Buffer.allocUnsafeSlow(Math.floor(((end - start - padding) * 3) / 4));
    let written = 0;
    for (let from = start; from < end; from += PIECE_BYTES) {
      const to = Math.min(end, from + PIECE_BYTES);
      const piece = this.#bytes.toString('latin1', from, to);
      const wrote = decoded.write(piece, written, 'base64');
      // Each piece but the last is whole groups of 4, decoded to exactly 3 bytes each.
      if (to < end ? wrote !== (PIECE_BYTES / 4) * 3 : !decodedWhole(piece, wrote)) return undefined;
      written += wrote;
    }
    lifted.valid = true;
    return decoded;
  }

  /** For a placeholder: the UTF-8 bytes of its value (empty when it is not valid string content, which `sound` then reports). Otherwise undefined. */
  utf8(text: string): Buffer | undefined {
    const lifted = this.#find(text);
    if (lifted === undefined) return undefined;
    // Escapes are ASCII and never shorter than the UTF-8 of what they stand for.
    const encoded = Buffer.allocUnsafeSlow(lifted.end - lifted.start);
    let written = 0;
    const valid = this.#decode(lifted, (value, from, to) => {
      // A value as long as its piece had no escape: it is the piece's bytes.
      written += value.length === to - from ? this.#bytes.copy(encoded, written, from, to) : encoded.write(value, written, 'utf8');
    });
    if (!valid) return EMPTY;
    return written === encoded.length ? encoded : Buffer.from(encoded.subarray(0, written));
  }

  /** For a placeholder: its value (empty when it is not valid string content, which `sound` then reports). Otherwise the text as it is. */
  value(text: string): string {
    const lifted = this.#find(text);
    if (lifted === undefined) return text;
    const values: string[] = [];
    return this.#decode(lifted, (value) => values.push(value)) ? values.join('') : '';
  }

  /** True when every lifted value is valid string content: only then is the skeleton's parse the entry's. */
  sound(): boolean {
    for (const lifted of this.#lifted) {
      if (lifted.valid === undefined) this.#decode(lifted, () => undefined);
      if (lifted.valid === false) return false;
    }
    return true;
  }

  #find(text: string): Lifted | undefined {
    return text.charCodeAt(0) === 0 ? this.#lifted[Number(text.slice(1))] : undefined;
  }

  /**
   * Parses a lifted value piece by piece, cut only where no escape is within 6 bytes before the
   * cut (so neither an escape nor a surrogate pair written as two escapes is split), handing each
   * piece's value over. False when the value is not valid string content.
   */
  #decode(lifted: Lifted, visit: (value: string, from: number, to: number) => void): boolean {
    for (let from = lifted.start; from < lifted.end; ) {
      const to = cutAfter(this.#bytes, from + PIECE_BYTES, lifted.end);
      let value: unknown;
      try {
        value = JSON.parse(`"${this.#bytes.toString('latin1', from, to)}"`);
      } catch {
        // Not valid string content: the entry is not valid JSON, which its plain parse will say.
      }
      if (typeof value !== 'string') {
        lifted.valid = false;
        return false;
      }
      visit(value, from, to);
      from = to;
    }
    lifted.valid = true;
    return true;
  }
}

/** The first index from `from` on (or `end`) with no backslash in the 6 bytes before it. */
function cutAfter(bytes: Buffer, from: number, end: number): number {
  for (let cut = from; cut < end; ) {
    let i = cut - 1;
    while (i >= cut - 6 && bytes[i] !== BACKSLASH) i--;
    if (i < cut - 6) return cut;
    cut = i + 7;
  }
  return end;
}

/**
 * Node's base64 decoder silently skips characters outside the alphabet. When nothing was skipped,
 * the decoded length is exactly what the text length predicts, and skipping even one character
 * changes it, except for lengths that valid base64 never has.
 */
export function decodedWhole(text: string, decodedLength: number): boolean {
  let unpadded = text.length;
  while (unpadded > 0 && unpadded > text.length - 2 && text.charCodeAt(unpadded - 1) === EQUALS) unpadded--;
  return unpadded % 4 !== 1 && decodedLength === Math.floor((unpadded * 3) / 4);
}

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Just past the opening quote of a string value after a key ending at `from`, or -1. */
function valueStart(bytes: Buffer, from: number): number {
  let i = from;
  while (isBlank(bytes[i])) i++;
  if (bytes[i++] !== COLON) return -1;
  while (isBlank(bytes[i])) i++;
  return bytes[i] === QUOTE ? i + 1 : -1;
}

/** The index of the quote ending the string whose content starts at `start`, or -1. */
function stringEnd(bytes: Buffer, start: number): number {
  for (let from = start; ; ) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let before = quote - 1;
    while (before >= start && bytes[before] === BACKSLASH) before--;
    if (((quote - 1 - before) & 1) === 0) return quote;
    from = quote + 1;
  }
}
