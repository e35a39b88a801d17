import type { Buffer } from 'node:buffer';
import { isAscii } from 'node:buffer';
import type { CaptureItem, Exchange, ReaderOptions } from './exchange.ts';
import { DEFAULT_MAX_ENTRY_BYTES } from './exchange.ts';
import { exchangeFromEntry } from './har-entry.ts';
import type { EntrySlice } from './entry-splitter.ts';
import { EntrySplitter } from './entry-splitter.ts';
import { LiftedTexts } from './lifted-texts.ts';
import { byteChunks, throwIfAborted } from './source.ts';

/**
 * Reads a HAR 1.2 capture entry by entry. Memory stays bounded by the largest entry (and
 * `maxEntryBytes`), whatever the file size. A broken entry is yielded as `malformed` and reading
 * goes on; a file that cannot be delimited (not JSON, truncated, no `log.entries`) throws
 * ERR_HAR_MALFORMED naming the byte offset, after the entries read before the problem.
 */
export async function* readHar(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<CaptureItem> {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  for await (const slice of harEntrySlices(source, options)) yield itemFromSlice(slice, maxEntryBytes);
}

/**
 * The entries' byte ranges, not yet parsed: bulk inspection parses them on worker threads. Each
 * slice's bytes are a view valid only until the next slice is asked for.
 */
export async function* harEntrySlices(source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<EntrySlice> {
  const splitter = new EntrySplitter({ maxEntryBytes: options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES });
  for await (const chunk of byteChunks(source, options)) {
    splitter.feed(chunk);
    for (let slice = splitter.next(); slice !== null; slice = splitter.next()) {
      throwIfAborted(options.signal);
      yield slice;
    }
  }
  splitter.finish();
}

/** One entry's bytes to an exchange, or to a malformed item saying why not. */
export function itemFromSlice(slice: EntrySlice, maxEntryBytes: number): CaptureItem {
  const { index, offset, length, bytes } = slice;
  if (bytes === null) {
    return { kind: 'malformed', entry: { index, offset, reason: `entry is ${length} bytes, over the ${maxEntryBytes}-byte limit; skipped` } };
  }
  const ascii = isAscii(bytes);
  // Long bodies are read from the bytes (lifted-texts.ts), in ASCII entries, where bytes are characters.
  const lifted = ascii ? LiftedTexts.of(bytes) : null;
  const liftedItem = lifted === null ? null : itemFromSkeleton(slice, lifted);
  if (liftedItem !== null) return liftedItem;
  let entry: unknown;
  try {
    entry = JSON.parse(entryText(bytes, ascii));
  } catch (error) {
    return { kind: 'malformed', entry: { index, offset, reason: `entry is not valid JSON${whereInEntry(error)}` } };
  }
  return itemOf(slice, exchangeFromEntry(entry, index, null));
}

function itemOf({ index, offset, length }: EntrySlice, exchange: Exchange | string): CaptureItem {
  if (typeof exchange === 'string') return { kind: 'malformed', entry: { index, offset, reason: exchange } };
  return { kind: 'exchange', exchange, offset, length };
}

/** Null when the skeleton cannot stand for the entry, which is then not valid JSON: its plain parse says where. */
function itemFromSkeleton(slice: EntrySlice, lifted: LiftedTexts): CaptureItem | null {
  let entry: unknown;
  try {
    entry = JSON.parse(lifted.skeleton);
  } catch {
    return null;
  }
  const exchange = exchangeFromEntry(entry, slice.index, lifted);
  return lifted.sound() ? itemOf(slice, exchange) : null;
}

/** V8's message quotes the text around the error, which may be a token or a key: keep only the position. */
function whereInEntry(error: unknown): string {
  const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
  return position === undefined ? '' : ` (near character ${position} of the entry)`;
}

/**
 * Measured: `JSON.parse` runs about 1.5× faster on a string made by the latin1 decoder than on
 * the same ASCII text made by the UTF-8 decoder, and HAR entries are nearly always ASCII.
 */
function entryText(bytes: Buffer, ascii: boolean): string {
  return ascii ? bytes.toString('latin1') : bytes.toString('utf8');
}
