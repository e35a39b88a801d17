import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { InspectionContext } from '../core/inspect/context.ts';
import type { KeyResolver } from '../core/inspect/resolver.ts';
import type { Finding } from '../core/inspect/findings.ts';
import { inspectExchange, malformedFinding } from '../core/inspect/inspector.ts';
import { NonceTracker } from '../core/opg/nonce-tracker.ts';
import { SignetError } from '../core/errors.ts';
import { parseExpiry } from '../core/time.ts';
import { readCapture } from '../core/traffic/index.ts';
import type { Exchange, MalformedEntry } from '../core/traffic/exchange.ts';
import { describeFsError } from './fs-errors.ts';
import { keyResolver } from './key-resolver.ts';
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
}

export type InspectedItem =
  | { kind: 'exchange'; exchange: Exchange; findings: Finding[] }
  | { kind: 'malformed'; entry: MalformedEntry; findings: Finding[] };

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
  const settings = readSettings(session).inspection;
  return {
    settings,
    resolver,
    nonces: new NonceTracker({ windowSec: settings.hmacWindowSec }),
    now: session.clock(),
    ...(at && { at: parseExpiry(at, session.clock()) }),
  };
}

/** HAR files are JSON (`{`); anything else is read as raw HTTP. */
export async function sniffFormat(path: string): Promise<'har' | 'raw-http'> {
  const file = await open(path, 'r').catch((error: unknown) => {
    throw new SignetError('ERR_UNREADABLE', `cannot read capture ${path}: ${describeFsError(error)}`);
  });
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(512), 0, 512, 0);
    return buffer.subarray(0, bytesRead).toString('latin1').replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'har' : 'raw-http';
  } finally {
    await file.close();
  }
}

/**
 * Streams a capture file through the readers and every scheme, in file order, yielding each exchange
 * with its findings. Memory stays bounded by the largest entry; nothing is stored here.
 */
export async function* inspectFile(session: Session, options: InspectOptions): AsyncGenerator<InspectedItem> {
  const totalBytes = await captureSize(options.path);
  const ctx = inspectionContext(session, options.at);
  const stream = createReadStream(options.path, { highWaterMark: 1024 * 1024 });
  let exchanges = 0;
  let bytesRead = 0;
  const report = () => options.onProgress?.({ bytesRead, totalBytes, exchanges });
  try {
    const items = readCapture(stream, {
      ...(options.signal && { signal: options.signal }),
      onProgress: (bytes: number) => {
        bytesRead = bytes;
        report();
      },
    });
    for await (const item of items) {
      exchanges++;
      if (item.kind === 'malformed') yield { kind: 'malformed', entry: item.entry, findings: [malformedFinding(item.entry)] };
      else yield { kind: 'exchange', exchange: item.exchange, findings: await inspectExchange(item.exchange, ctx) };
    }
    bytesRead = totalBytes;
    report();
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_UNREADABLE', `cannot read capture ${options.path}: ${describeFsError(error)}`);
  } finally {
    stream.destroy();
  }
}
