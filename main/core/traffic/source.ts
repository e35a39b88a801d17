import { Buffer } from 'node:buffer';
import { SignetError } from '../errors.ts';
import type { ReaderOptions } from './exchange.ts';

const PROGRESS_STEP_BYTES = 1024 * 1024;

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SignetError('ERR_CANCELLED', 'reading the capture was cancelled');
}

/** A Buffer view of the same memory (no copy), so readers can use Buffer's native indexOf and decoders. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * The caller's chunks as Buffers, with cancellation and progress in one place. Progress counts the
 * bytes of chunks the reader has finished with (reported when it asks for the next one). A pending
 * read is raced against the signal so a stalled source cannot delay cancellation.
 */
export async function* byteChunks(source: AsyncIterable<Uint8Array>, options: ReaderOptions): AsyncGenerator<Buffer> {
  const { signal, onProgress } = options;
  const iterator = source[Symbol.asyncIterator]();
  let bytesRead = 0;
  let bytesReported = 0;
  let finished = false;
  let abandonedRead = false;
  try {
    for (;;) {
      if (onProgress && bytesRead - bytesReported >= PROGRESS_STEP_BYTES) {
        bytesReported = bytesRead;
        onProgress(bytesRead);
      }
      throwIfAborted(signal);
      let next: IteratorResult<Uint8Array>;
      if (signal) {
        abandonedRead = true;
        next = await raceAbort(iterator.next(), signal);
        abandonedRead = false;
      } else {
        next = await iterator.next();
      }
      if (next.done) {
        finished = true;
        break;
      }
      if (next.value.byteLength === 0) continue;
      bytesRead += next.value.byteLength;
      yield asBuffer(next.value);
    }
    if (onProgress && bytesReported !== bytesRead) onProgress(bytesRead);
  } finally {
    if (!finished && iterator.return) {
      // Closing a source whose read is still pending would wait for that read: close it in the background.
      const closing = Promise.resolve(iterator.return()).catch(() => undefined);
      if (!abandonedRead) await closing;
    }
  }
}

function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SignetError('ERR_CANCELLED', 'reading the capture was cancelled'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
