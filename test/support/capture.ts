import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One exchange of a test capture, as a HAR 1.2 entry would record it. */
export interface EntrySpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  startedAt?: string;
  response?: { status?: number; headers?: Record<string, string>; body?: string };
}

const headerList = (headers: Record<string, string> = {}) => Object.entries(headers).map(([name, value]) => ({ name, value }));

export function harEntry(spec: EntrySpec): Record<string, unknown> {
  return {
    startedDateTime: spec.startedAt ?? '2026-06-01T12:00:00.000Z',
    time: 12,
    request: {
      method: spec.method ?? 'GET',
      url: spec.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(spec.headers),
      queryString: [],
      headersSize: -1,
      bodySize: spec.body?.length ?? 0,
      ...(spec.body !== undefined && { postData: { mimeType: 'application/json', text: spec.body } }),
    },
    response: {
      status: spec.response?.status ?? 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(spec.response?.headers),
      content: { size: spec.response?.body?.length ?? 0, mimeType: 'application/json', ...(spec.response?.body !== undefined && { text: spec.response.body }) },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 10, receive: 2 },
  };
}

export function harText(entries: Array<EntrySpec | Record<string, unknown>>): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'signet-test', version: '1' }, entries: entries.map((entry) => ('url' in entry ? harEntry(entry as EntrySpec) : entry)) } }, null, 1);
}

export function writeCapture(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
