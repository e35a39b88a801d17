import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { headerValue, readHar } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, text } from './helpers.ts';

// Small samples in the shapes each tool writes (field order, extension fields, encodings).

const chromeHar = {
  log: {
    version: '1.2',
    creator: { name: 'WebInspector', version: '537.36' },
    pages: [{ startedDateTime: '2024-03-05T09:12:30.000Z', id: 'page_1', title: 'https://shop.example/checkout', pageTimings: { onContentLoad: 120.5, onLoad: 300.1 } }],
    entries: [
      {
        _initiator: { type: 'script', stack: { callFrames: [{ functionName: 'pay', scriptId: '42', url: 'https://shop.example/app.js', lineNumber: 10, columnNumber: 4 }] } },
        _priority: 'High',
        _resourceType: 'fetch',
        cache: {},
        connection: '112233',
        pageref: 'page_1',
        request: {
          method: 'POST',
          url: 'https://api.klix.example/v1/payments?x=1',
          httpVersion: 'http/2.0',
          headers: [
            { name: ':authority', value: 'api.klix.example' },
            { name: ':method', value: 'POST' },
            { name: ':path', value: '/v1/payments?x=1' },
            { name: 'content-type', value: 'application/jose' },
            { name: 'X-KLIX-Api-Key', value: 'test-api-key-0001' },
          ],
          queryString: [{ name: 'x', value: '1' }],
          cookies: [],
          headersSize: -1,
          bodySize: 17,
          postData: { mimeType: 'application/jose', text: 'eyJhbGciOiJub25lIn0' },
        },
        response: {
          status: 201,
          statusText: '',
          httpVersion: 'http/2.0',
          headers: [{ name: 'content-type', value: 'application/json' }, { name: 'date', value: 'Tue, 05 Mar 2024 09:12:33 GMT' }],
          cookies: [],
          content: { size: 16, mimeType: 'application/json', text: '{"status":"ok"}' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
          _transferSize: 220,
          _error: null,
        },
        serverIPAddress: '192.0.2.10',
        startedDateTime: '2024-03-05T09:12:33.421Z',
        time: 80.2,
        timings: { blocked: 1.1, dns: -1, ssl: -1, connect: -1, send: 0.2, wait: 77, receive: 1.9, _blocked_queueing: 0.7 },
      },
      {
        _initiator: { type: 'other' },
        _priority: 'VeryHigh',
        _resourceType: 'document',
        cache: {},
        request: { method: 'GET', url: 'https://shop.example/checkout', httpVersion: 'http/2.0', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
        response: {
          status: 0,
          statusText: '',
          httpVersion: '',
          headers: [],
          cookies: [],
          content: { size: 0, mimeType: 'x-unknown' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
          _transferSize: 0,
          _error: 'net::ERR_BLOCKED_BY_CLIENT',
        },
        startedDateTime: '2024-03-05T09:12:34.000Z',
        time: 1,
        timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
      },
    ],
  },
};

const firefoxHar = {
  log: {
    version: '1.2',
    creator: { name: 'Firefox', version: '123.0' },
    browser: { name: 'Firefox', version: '123.0' },
    pages: [{ startedDateTime: '2024-03-05T10:12:30.000+01:00', id: 'page_1', title: 'Checkout', pageTimings: { onContentLoad: 100, onLoad: 200 } }],
    entries: [
      {
        pageref: 'page_1',
        startedDateTime: '2024-03-05T10:12:33.421+01:00',
        request: {
          bodySize: 27,
          method: 'PUT',
          url: 'https://api.example/opg/surveys?x=1',
          httpVersion: 'HTTP/1.1',
          headers: [
            { name: 'Host', value: 'api.example' },
            { name: 'Authorization', value: 'X-OPG-Signature app-1:c2ln:nonce-1:1709629953' },
            { name: 'Content-Type', value: 'application/json; charset=utf-8' },
          ],
          cookies: [],
          queryString: [{ name: 'x', value: '1' }],
          headersSize: 300,
          postData: { mimeType: 'application/json; charset=utf-8', params: [], text: '{"answer":"déjà vu ✓"}' },
        },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          headers: [{ name: 'Content-Type', value: 'image/png' }],
          cookies: [],
          content: { mimeType: 'image/png', size: 4, encoding: 'base64', text: 'iVBORw==' },
          redirectURL: '',
          headersSize: 120,
          bodySize: 4,
        },
        cache: {},
        timings: { blocked: 0, dns: 0, connect: 0, ssl: 0, send: 0, wait: 30, receive: 0 },
        time: 30,
        _securityState: 'secure',
        serverIPAddress: '192.0.2.20',
        connection: '443',
      },
    ],
  },
};

const mitmproxyHar = {
  log: {
    version: '1.2',
    creator: { name: 'mitmproxy', version: '10.2.2', comment: 'mitmproxy version 10.2.2' },
    pages: [],
    entries: [
      {
        startedDateTime: '2024-03-05T09:12:33.421000+00:00',
        time: 12.5,
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:8080/key-agreement',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [{ name: 'Host', value: '127.0.0.1:8080' }, { name: 'Content-Type', value: 'application/json' }],
          queryString: [],
          headersSize: 120,
          bodySize: 30,
          postData: { mimeType: 'application/json', text: '{"identifier":"id-1","nonce":"bm9uY2U="}', params: [] },
        },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [{ name: 'Content-Type', value: 'application/octet-stream' }],
          content: { size: 3, compression: 0, mimeType: 'application/octet-stream', text: 'AP8B', encoding: 'base64' },
          redirectURL: '',
          headersSize: 90,
          bodySize: 3,
        },
        cache: {},
        timings: { connect: 1, ssl: -1, send: 1, receive: 1, wait: 9 },
        serverIPAddress: '127.0.0.1',
      },
    ],
  },
};

// Charles writes `log` members after the entries and may base64 both bodies.
const charlesHar = {
  log: {
    entries: [
      {
        startedDateTime: '2024-03-05T09:12:33.421+00:00',
        time: 40,
        request: {
          method: 'POST',
          url: 'https://merchant.example/callback',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [{ name: 'Content-Type', value: 'application/jose' }],
          queryString: [],
          headersSize: 200,
          bodySize: 9,
          postData: { mimeType: 'application/jose', text: Buffer.from('eyJ9.e30.').toString('base64'), encoding: 'base64' },
        },
        response: {
          _charlesStatus: 'COMPLETE',
          status: 204,
          statusText: 'No Content',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [],
          content: { size: 0, mimeType: '' },
          redirectURL: null,
          headersSize: 80,
          bodySize: 0,
        },
        serverIPAddress: '198.51.100.7',
        cache: {},
        timings: { dns: 0, connect: 5, ssl: 10, send: 0, wait: 20, receive: 5 },
      },
    ],
    version: '1.2',
    creator: { name: 'Charles Proxy', version: '4.6.4' },
  },
};

const playwrightHar = {
  log: {
    version: '1.2',
    creator: { name: 'Playwright', version: '1.42.0' },
    browser: { name: 'chromium', version: '122.0.6261.57' },
    pages: [],
    entries: [
      {
        startedDateTime: '2024-03-05T09:12:33.421Z',
        time: 5,
        request: { method: 'GET', url: 'http://localhost:3000/api/keys', httpVersion: 'HTTP/1.1', cookies: [], headers: [{ name: 'Accept', value: '*/*' }], queryString: [], headersSize: -1, bodySize: 0 },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          content: { size: 12, mimeType: 'application/json', _file: '8d7f.json' },
          headersSize: -1,
          bodySize: -1,
          redirectURL: '',
          _transferSize: -1,
        },
        cache: {},
        timings: { dns: -1, connect: -1, ssl: -1, send: 0, wait: 4, receive: 1 },
        pageref: 'page@1',
        _frameref: 'frame@2',
        _monotonicTime: 1234.5,
        _serverPort: 3000,
        _securityDetails: {},
      },
      {
        startedDateTime: '2024-03-05T09:12:34.000Z',
        time: -1,
        request: { method: 'GET', url: 'http://localhost:3000/aborted', httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 },
        response: { status: -1, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], headers: [], content: { size: -1, mimeType: 'x-unknown' }, headersSize: -1, bodySize: -1, redirectURL: '', _failureText: 'net::ERR_ABORTED' },
        cache: {},
        timings: { send: -1, wait: -1, receive: -1 },
      },
    ],
  },
};

const fiddlerHar = {
  log: {
    version: '1.2',
    comment: 'exported @ 3/5/2024 9:13:00 AM',
    creator: { name: 'Fiddler', version: '5.0.20211.51073', comment: 'http://www.telerik.com/fiddler' },
    entries: [
      {
        startedDateTime: '2024-03-05T09:12:33.4210000+00:00',
        time: 10,
        request: {
          method: 'POST',
          url: 'https://api.example/login',
          httpVersion: 'HTTP/1.1',
          headersSize: 200,
          bodySize: 21,
          cookies: [],
          headers: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' }],
          queryString: [],
          postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'ann lee' }, { name: 'next', value: '/a&b' }] },
        },
        response: {
          status: 302,
          statusText: 'Found',
          httpVersion: 'HTTP/1.1',
          headersSize: 100,
          bodySize: 0,
          cookies: [],
          headers: [{ name: 'Location', value: '/home' }],
          content: { size: 0, compression: 0, mimeType: 'text/html', text: '' },
          redirectURL: '/home',
          comment: '',
        },
        cache: {},
        timings: { blocked: 0, dns: 0, connect: 0, send: 0, wait: 10, receive: 0, ssl: -1 },
      },
    ],
  },
};

async function read(har: unknown, indent = 2) {
  return collect(readHar(chunked(bytesOf(JSON.stringify(har, null, indent)), [4096])));
}

describe('HAR as written by the common tools', () => {
  it('reads a Chrome DevTools export, ignoring `_` fields and keeping HTTP/2 pseudo-headers', async () => {
    const [first] = exchanges(await read(chromeHar));
    expect(first?.request.method).toBe('POST');
    expect(first?.request.headers[0]).toEqual({ name: ':authority', value: 'api.klix.example' });
    expect(text(first?.request.body)).toBe('eyJhbGciOiJub25lIn0');
    expect(first?.request.bodyMimeType).toBe('application/jose');
    expect(first?.response?.status).toBe(201);
    expect(text(first?.response?.body)).toBe('{"status":"ok"}');
    expect(first?.startedAt?.toISOString()).toBe('2024-03-05T09:12:33.421Z');
  });

  it('treats a Chrome entry with status 0 (blocked, failed) as having no response', async () => {
    const all = exchanges(await read(chromeHar));
    expect(all[1]?.index).toBe(1);
    expect(all[1]?.response).toBeNull();
  });

  it('reads a Firefox export: UTF-8 request text, base64 response, offset timestamps', async () => {
    const [entry] = exchanges(await read(firefoxHar));
    expect(text(entry?.request.body)).toBe('{"answer":"déjà vu ✓"}');
    expect(Buffer.from(entry?.response?.body ?? []).toString('hex')).toBe('89504e47');
    expect(entry?.startedAt?.toISOString()).toBe('2024-03-05T09:12:33.421Z');
    expect(headerValue(entry?.request.headers ?? [], 'authorization')).toMatch(/^X-OPG-Signature /);
  });

  it('reads a mitmproxy export with microsecond timestamps and binary base64 content', async () => {
    const [entry] = exchanges(await read(mitmproxyHar, 4));
    expect(entry?.startedAt?.toISOString()).toBe('2024-03-05T09:12:33.421Z');
    expect(Array.from(entry?.response?.body ?? [])).toEqual([0x00, 0xff, 0x01]);
    expect(text(entry?.request.body)).toBe('{"identifier":"id-1","nonce":"bm9uY2U="}');
  });

  it('reads a Charles export with entries before creator and a base64 request body', async () => {
    const [entry] = exchanges(await read(charlesHar));
    expect(text(entry?.request.body)).toBe('eyJ9.e30.');
    expect(entry?.response?.status).toBe(204);
    expect(entry?.response?.body).toBeNull();
  });

  it('reads a Playwright recordHar export: attached content has no body, an aborted request no response', async () => {
    const [attached, aborted] = exchanges(await read(playwrightHar, 0));
    expect(attached?.response?.status).toBe(200);
    expect(attached?.response?.body).toBeNull();
    expect(attached?.response?.bodyMimeType).toBe('application/json');
    expect(aborted?.response).toBeNull();
  });

  it('rebuilds a url-encoded body from a Fiddler params-only postData', async () => {
    const [entry] = exchanges(await read(fiddlerHar));
    expect(text(entry?.request.body)).toBe('user=ann+lee&next=%2Fa%26b');
    expect(entry?.startedAt?.toISOString()).toBe('2024-03-05T09:12:33.421Z');
  });

  it('reports the byte range of each entry in the file', async () => {
    const fileText = JSON.stringify(chromeHar);
    const items = await collect(readHar(chunked(bytesOf(fileText), [100])));
    for (const item of items) {
      if (item.kind !== 'exchange') throw new Error('expected exchanges only');
      const entryText = bytesOf(fileText).subarray(item.offset, item.offset + item.length).toString('utf8');
      expect(JSON.parse(entryText)).toEqual(chromeHar.log.entries[item.exchange.index]);
    }
  });

  it('finds headers by name regardless of case', () => {
    const headers = [{ name: 'X-KLIX-Api-Key', value: 'k1' }, { name: 'x-klix-api-key', value: 'k2' }];
    expect(headerValue(headers, 'x-klix-API-key')).toBe('k1');
    expect(headerValue(headers, 'signature')).toBeUndefined();
  });
});
