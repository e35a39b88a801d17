import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InspectionContext } from '../core/inspect/context.ts';
import type { KeyResolver } from '../core/inspect/resolver.ts';
import type { Finding } from '../core/inspect/findings.ts';
import { settle } from '../core/inspect/deferred.ts';
import { inspectExchange, malformedFinding } from '../core/inspect/inspector.ts';
import { NonceTracker } from '../core/opg/nonce-tracker.ts';
import { SignetError } from '../core/errors.ts';
import { parseExpiry } from '../core/time.ts';
import { readCapture } from '../core/traffic/index.ts';
import { startsAsHar } from '../core/traffic/detect.ts';
import type { EntrySlice } from '../core/traffic/entry-splitter.ts';
import { type CaptureItem, type Exchange, type MalformedEntry } from '../core/traffic/exchange.ts';
import { harEntrySlices } from '../core/traffic/har.ts';
import { apiKeyHeaders } from './api-keys.ts';
import { describeFsError } from './fs-errors.ts';
import { BatchBuilder, InspectionPool, type WorkerItem, type WorkerSetup } from './inspection-pool.ts';
import { keyResolver, resolverSnapshot } from './key-resolver.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';

export interface CaptureProgress {
  bytesRead: number;
  totalBytes: number;
  exchanges: number;
}

export interface InspectOptions {
  path: string;
  /** Judge every exchange as of this moment (ISO 8601), instead of when it happened. */
  at?: string;
  signal?: AbortSignal;
  onProgress?: (progress: CaptureProgress) => void;
  /** Worker threads; 0 inspects on the calling thread. Default: every core for files of 4 MiB or more. */
  workers?: number;
  /** Keep each parsed exchange in the items (import stores them; verify has no use for them). */
  withExchanges?: boolean;
}

/** `exchange` is there when asked for with `withExchanges` (and always when inspected on this thread). */
export type InspectedItem =
  | { kind: 'exchange'; index: number; exchange?: Exchange; findings: Finding[] }
  | { kind: 'malformed'; entry: MalformedEntry; findings: Finding[] };

/** Below this size, starting worker threads costs more than it saves. */
const PARALLEL_FROM_BYTES = 4 * 1024 * 1024;

/** Worker threads for a capture of this size: as asked, else every core from 4 MiB up. */
export function workerCount(options: Pick<InspectOptions, 'workers'>, totalBytes: number): number {
  return options.workers ?? (totalBytes >= PARALLEL_FROM_BYTES ? availableParallelism() : 0);
}

export async function captureSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SignetError('ERR_UNREADABLE', `cannot read capture ${path}: it is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_UNREADABLE', `cannot read capture ${path}: ${describeFsError(error)}`);
  }
}

/** What every check runs with: settings, the keystore as a resolver, fresh replay state, the clock. */
export function inspectionContext(session: Session, at?: string, resolver: KeyResolver = keyResolver(session)): InspectionContext {
  // API-key headers: the settings' and those of registered keys (apikey add --header).
  const settings = { ...readSettings(session).inspection, apiKeyHeaders: apiKeyHeaders(session) };
  return {
    settings,
    resolver,
    nonces: new NonceTracker({ windowSec: settings.hmacWindowSec }),
    now: session.clock(),
    ...(at && { at: parseExpiry(at, session.clock()) }),
  };
}

/** HAR files are JSON (`{`); anything else is read as raw HTTP. Gzip and UTF-16 are refused by name. */
export async function sniffFormat(path: string): Promise<'har' | 'raw-http'> {
  const file = await open(path, 'r').catch((error: unknown) => {
    throw new SignetError('ERR_UNREADABLE', `cannot read capture ${path}: ${describeFsError(error)}`);
  });
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(512), 0, 512, 0);
    return startsAsHar(buffer.subarray(0, bytesRead)) ? 'har' : 'raw-http';
  } finally {
    await file.close();
  }
}

/**
 * Streams a capture file through the readers and every scheme, in file order, yielding each exchange
 * with its findings. Memory stays bounded by the largest entry (and the batches in flight); nothing
 * is stored here. Big files are parsed and verified on worker threads (one per core), which keeps
 * this thread's event loop free; replay state and JWE opening stay here, applied in file order.
 */
export async function* inspectFile(session: Session, options: InspectOptions): AsyncGenerator<InspectedItem> {
  const totalBytes = await captureSize(options.path);
  const ctx = inspectionContext(session, options.at);
  const workers = workerCount(options, totalBytes);
  const format = workers > 0 ? await sniffFormat(options.path) : undefined;
  const limits = readSettings(session).limits;
  const pool = workers > 0 ? InspectionPool.open(workers, workerSetup(session, ctx, options.withExchanges ?? false, limits.captureEntryBytes)) : undefined;
  const stream = fileChunks(options.path);
  let exchanges = 0;
  let bytesRead = 0;
  const report = () => options.onProgress?.({ bytesRead, totalBytes, exchanges });
  const readerOptions = {
    maxEntryBytes: limits.captureEntryBytes,
    maxHeaderBytes: limits.headerBytes,
    ...(options.signal && { signal: options.signal }),
    onProgress: (bytes: number) => {
      bytesRead = bytes;
      report();
    },
  };
  try {
    const items = !pool
      ? inspectHere(readCapture(stream, readerOptions), ctx)
      : inspectOnWorkers(pool, ctx, format === 'har' ? { slices: harEntrySlices(stream, readerOptions) } : { items: readCapture(stream, readerOptions) });
    for await (const item of items) {
      exchanges++;
      yield item;
    }
    bytesRead = totalBytes;
    report();
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_UNREADABLE', `cannot read capture ${options.path}: ${describeFsError(error)}`);
  } finally {
    await stream.return(undefined);
    await pool?.close();
  }
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * The file in 1 MiB chunks read into two buffers used in turn, rather than a fresh buffer per chunk:
 * on a 1 GiB capture the discarded chunks alone kept ~100 MB resident between collections. Two,
 * because a reader may still hold the end of one chunk while it asks for the next (the readers copy
 * what they keep, as their sources may reuse buffers).
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(CHUNK_BYTES), Buffer.allocUnsafeSlow(CHUNK_BYTES)];
    for (let turn = 0; ; turn ^= 1) {
      const buffer = buffers[turn] ?? Buffer.alloc(CHUNK_BYTES);
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

async function* inspectHere(items: AsyncIterable<CaptureItem>, ctx: InspectionContext): AsyncGenerator<InspectedItem> {
  for await (const item of items) {
    if (item.kind === 'malformed') yield { kind: 'malformed', entry: item.entry, findings: [malformedFinding(item.entry)] };
    else yield { kind: 'exchange', index: item.exchange.index, exchange: item.exchange, findings: await inspectExchange(item.exchange, ctx) };
  }
}

function workerSetup(session: Session, ctx: InspectionContext, withExchanges: boolean, maxEntryBytes: number): WorkerSetup {
  return {
    settings: ctx.settings,
    resolver: resolverSnapshot(session),
    nowMs: ctx.now.getTime(),
    ...(ctx.at && { atMs: ctx.at.getTime() }),
    maxEntryBytes,
    withExchanges,
  };
}

/**
 * Reads on this thread, inspects on the pool, and yields in file order. At most two batches per
 * worker are in flight, which bounds memory and keeps every worker busy. A reader error (a truncated
 * file) is raised after the entries read before it, as the readers do; cancellation at once.
 */
async function* inspectOnWorkers(pool: InspectionPool, ctx: InspectionContext, source: { slices: AsyncIterable<EntrySlice> } | { items: AsyncIterable<CaptureItem> }): AsyncGenerator<InspectedItem> {
  const builder = new BatchBuilder();
  const inFlight: Promise<WorkerItem[]>[] = [];
  const submit = () => {
    const running = pool.run(builder.take());
    running.catch(() => undefined); // awaited in order below; this only stops an early exit from leaving it unhandled
    inFlight.push(running);
  };
  const iterator = 'slices' in source ? source.slices[Symbol.asyncIterator]() : source.items[Symbol.asyncIterator]();
  let readError: unknown;
  try {
    for (;;) {
      let next: IteratorResult<EntrySlice | CaptureItem>;
      try {
        next = await iterator.next();
      } catch (error) {
        readError = error;
        break;
      }
      if (next.done) break;
      const unit = next.value;
      if ('kind' in unit) {
        if (builder.addItem(unit)) submit();
      } else {
        if (builder.wouldOverflow(unit)) submit();
        builder.addSlice(unit);
      }
      while (inFlight.length >= pool.size * 2) yield* settled(await (inFlight.shift() ?? Promise.resolve([])), ctx);
    }
    if (readError instanceof SignetError && readError.code === 'ERR_CANCELLED') throw readError;
    if (!builder.empty) submit();
    while (inFlight.length > 0) yield* settled(await (inFlight.shift() ?? Promise.resolve([])), ctx);
    if (readError !== undefined) throw readError;
  } finally {
    await iterator.return?.();
  }
}

async function* settled(items: WorkerItem[], ctx: InspectionContext): AsyncGenerator<InspectedItem> {
  for (const item of items) {
    const findings = item.pending.length > 0 ? await settle(item.findings, item.pending, ctx) : item.findings;
    if (item.malformed) yield { kind: 'malformed', entry: item.malformed, findings };
    else yield { kind: 'exchange', index: item.index, ...(item.exchange && { exchange: item.exchange }), findings };
  }
}
