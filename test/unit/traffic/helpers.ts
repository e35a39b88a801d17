import { Buffer } from 'node:buffer';
import type { CaptureItem, Exchange } from '../../../main/core/traffic/index.ts';

/** The bytes handed over in chunks of the given sizes (cycled); the last chunk takes the rest. */
export async function* chunked(bytes: Uint8Array, sizes: number[] = [bytes.length]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let turn = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[turn++ % sizes.length] ?? bytes.length);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

export async function collect(items: AsyncIterable<CaptureItem>): Promise<CaptureItem[]> {
  const result: CaptureItem[] = [];
  for await (const item of items) result.push(item);
  return result;
}

export function exchanges(items: CaptureItem[]): Exchange[] {
  return items.flatMap((item) => (item.kind === 'exchange' ? [item.exchange] : []));
}

export function text(body: Uint8Array | null | undefined): string | null {
  return body ? Buffer.from(body).toString('utf8') : null;
}

/** A comparable rendering of reader output: bodies as hex, dates as ISO strings. */
export function summarize(items: CaptureItem[]): unknown[] {
  return items.map((item) => {
    if (item.kind === 'malformed') return item;
    const { exchange } = item;
    const hex = (body: Uint8Array | null) => (body ? Buffer.from(body).toString('hex') : null);
    return {
      ...item,
      exchange: {
        ...exchange,
        startedAt: exchange.startedAt?.toISOString() ?? null,
        request: { ...exchange.request, body: hex(exchange.request.body) },
        response: exchange.response && { ...exchange.response, body: hex(exchange.response.body) },
      },
    };
  });
}

/** A HAR file around the given entries (as JSON text), with `creator` and `pages` before them. */
export function harText(entries: unknown[], indent?: number): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, pages: [], entries } }, null, indent);
}

export function minimalEntry(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    startedDateTime: '2024-03-05T09:12:33.421Z',
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
    ...extra,
  };
}

export function bytesOf(textValue: string): Buffer {
  return Buffer.from(textValue, 'utf8');
}
