import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../main/core/errors.ts';
import type { CaptureItem, ReaderOptions } from '../../../main/core/traffic/index.ts';
import { headerValue, readRawHttp } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, summarize, text } from './helpers.ts';

const crlf = (lines: string[]): string => lines.join('\r\n');

const twoPairs = crlf([
  'POST /v1/payments?x=1 HTTP/1.1',
  'Host: api.klix.example',
  'Content-Type: application/jose',
  'Content-Length: 11',
  '',
  'eyJ9.e30.c2',
  'HTTP/1.1 201 Created',
  'Date: Tue, 05 Mar 2024 09:12:33 GMT',
  'Content-Type: application/json',
  'Content-Length: 15',
  '',
  '{"status":"ok"}',
  'GET /v1/payments/7 HTTP/1.1',
  'Host: api.klix.example',
  '',
  'HTTP/1.1 200 OK',
  'Transfer-Encoding: chunked',
  '',
  '4',
  '{"a"',
  'B',
  ':"chunked"}',
  '0',
  '',
  '',
]);

async function read(rawText: string, options: ReaderOptions = {}, sizes?: number[]): Promise<CaptureItem[]> {
  return collect(readRawHttp(chunked(bytesOf(rawText), sizes), options));
}

function reasons(items: CaptureItem[]): string[] {
  return items.flatMap((item) => (item.kind === 'malformed' ? [item.entry.reason] : []));
}

describe('raw HTTP captures', () => {
  it('reads several request/response pairs framed by Content-Length and chunked coding', async () => {
    const [payment, lookup] = exchanges(await read(twoPairs));
    expect(payment?.request.method).toBe('POST');
    expect(payment?.request.url).toBe('https://api.klix.example/v1/payments?x=1');
    expect(text(payment?.request.body)).toBe('eyJ9.e30.c2');
    expect(payment?.request.bodyMimeType).toBe('application/jose');
    expect(payment?.response?.status).toBe(201);
    expect(payment?.response?.statusText).toBe('Created');
    expect(text(payment?.response?.body)).toBe('{"status":"ok"}');
    expect(lookup?.request.body).toBeNull();
    expect(text(lookup?.response?.body)).toBe('{"a":"chunked"}');
  });

  it('takes the time of an exchange from its Date header', async () => {
    const [payment, lookup] = exchanges(await read(twoPairs));
    expect(payment?.startedAt?.toISOString()).toBe('2024-03-05T09:12:33.000Z');
    expect(lookup?.startedAt).toBeNull();
  });

  it('reports each exchange with its byte range', async () => {
    const items = await read(twoPairs);
    const second = items[1];
    expect(second?.kind === 'exchange' && twoPairs.slice(second.offset, second.offset + second.length)).toMatch(/^GET \/v1\/payments\/7 HTTP\/1.1\r\n[\s\S]*0\r\n\r\n$/);
  });

  it('reads text pasted with bare LF line endings and no Content-Length, the body running to the next message', async () => {
    const pasted = ['POST /opg/surveys HTTP/1.1', 'Host: api.example', 'Authorization: X-OPG-Signature app:sig:n1:1709629953', '', '{"a": 1,', ' "b": 2}', '', 'HTTP/1.1 200 OK', '', '{"ok":true}', '', ''].join('\n');
    const [exchange] = exchanges(await read(pasted));
    expect(text(exchange?.request.body)).toBe('{"a": 1,\n "b": 2}');
    expect(headerValue(exchange?.request.headers ?? [], 'authorization')).toBe('X-OPG-Signature app:sig:n1:1709629953');
    expect(text(exchange?.response?.body)).toBe('{"ok":true}');
  });

  it('accepts a request with no response', async () => {
    const items = await read(['GET /a HTTP/1.1', 'Host: h', '', 'GET /b HTTP/1.1', 'Host: h', ''].join('\n'));
    expect(exchanges(items).map((exchange) => [exchange.request.url, exchange.response])).toEqual([
      ['https://h/a', null],
      ['https://h/b', null],
    ]);
  });

  it('accepts headers copied without the blank line before the response', async () => {
    const [exchange] = exchanges(await read(['GET /a HTTP/1.1', ':authority: h2.example', 'HTTP/1.1 204 No Content', ''].join('\n')));
    expect(exchange?.request.url).toBe('https://h2.example/a');
    expect(exchange?.response?.status).toBe(204);
  });

  it('skips interim 1xx responses and keeps the final one', async () => {
    const [exchange] = exchanges(await read(crlf(['POST /u HTTP/1.1', 'Content-Length: 2', '', 'hi', 'HTTP/1.1 100 Continue', '', 'HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok'])));
    expect(exchange?.response?.status).toBe(200);
    expect(text(exchange?.response?.body)).toBe('ok');
  });

  it('reads no body for a response to HEAD, whatever Content-Length says', async () => {
    const items = await read(crlf(['HEAD /f HTTP/1.1', '', 'HTTP/1.1 200 OK', 'Content-Length: 5000', '', 'GET /g HTTP/1.1', '', '']));
    expect(exchanges(items).map((exchange) => exchange.request.url)).toEqual(['/f', '/g']);
    expect(exchanges(items)[0]?.response?.body).toBeNull();
  });

  it('refuses a header value carrying a bare CR (header injection) and reads on', async () => {
    const items = await read(['GET /a HTTP/1.1', 'X-Note: hi\rSet-Cookie: admin=1', '', 'GET /b HTTP/1.1', '', ''].join('\n'));
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
    expect(reasons(items)).toEqual(['request: header "X-Note" contains a CR (header injection)']);
    expect(items[0]?.kind === 'malformed' && items[0].entry).toMatchObject({ index: 0, offset: 0 });
  });

  it('refuses obsolete line folding', async () => {
    const items = await read(crlf(['GET /a HTTP/1.1', 'X-Long: part one', ' part two', '', '']));
    expect(reasons(items)).toEqual(['request: obsolete line folding (a header line starting with whitespace, RFC 9112 §5.2)']);
  });

  it('refuses whitespace between a header name and its colon', async () => {
    const items = await read(crlf(['GET /a HTTP/1.1', 'Content-Length : 0', '', '']));
    expect(reasons(items)).toEqual(['request: whitespace before the colon in header "Content-Length" (refused by RFC 9112 §5.1: request smuggling)']);
  });

  it('refuses both Transfer-Encoding and Content-Length', async () => {
    const items = await read(crlf(['POST /a HTTP/1.1', 'Content-Length: 4', 'Transfer-Encoding: chunked', '', '0', '', '']));
    expect(reasons(items)[0]).toMatch(/both Transfer-Encoding and Content-Length/);
  });

  it('refuses an over-long header line without holding it, and reads on', async () => {
    const long = `X-Pad: ${'p'.repeat(5000)}`;
    const items = await read(crlf(['GET /a HTTP/1.1', long, '', 'GET /b HTTP/1.1', '', '']), { maxHeaderBytes: 1024 }, [100]);
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
    expect(reasons(items)).toEqual(['request: the header section is longer than 1024 bytes']);
  });

  it('reports a body shorter than its Content-Length', async () => {
    const items = await read(crlf(['POST /a HTTP/1.1', 'Content-Length: 50', '', 'short']));
    expect(reasons(items)).toEqual(['request: the body ends early: Content-Length is 50 but only 5 bytes follow']);
  });

  it('skips a body over maxEntryBytes without holding it, and reads on', async () => {
    const items = await read(crlf(['POST /a HTTP/1.1', 'Content-Length: 3000', '', 'b'.repeat(3000), 'GET /b HTTP/1.1', '', '']), { maxEntryBytes: 1000 }, [64]);
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
    expect(reasons(items)[0]).toMatch(/the body is 3000 bytes, more than the 1000-byte limit/);
  });

  it('reports a response with no request before it', async () => {
    const items = await read(crlf(['GET /a HTTP/1.1', '', 'HTTP/1.1 200 OK', 'Content-Length: 0', '', 'HTTP/1.1 500 Oops', '', 'GET /b HTTP/1.1', '', '']));
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'malformed', 'exchange']);
    expect(reasons(items)).toEqual(['a response with no request before it']);
  });

  it('refuses a file that does not start with a request line', async () => {
    const attempt = read('hello world\nGET / HTTP/1.1\n\n');
    await expect(attempt).rejects.toBeInstanceOf(SignetError);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_HTTP_MALFORMED', message: expect.stringMatching(/the text at byte 0 is not a request line/) as unknown });
  });

  it('refuses a first line longer than maxHeaderBytes', async () => {
    await expect(read(`GET /${'a'.repeat(2000)} HTTP/1.1\r\n\r\n`, { maxHeaderBytes: 1024 })).rejects.toMatchObject({
      code: 'ERR_HTTP_MALFORMED',
      message: 'not a raw HTTP capture: the first line is longer than 1024 bytes',
    });
  });

  it('gives the same output in chunks of any size', async () => {
    const mixed = `${twoPairs}\n${['PUT /c HTTP/1.1', 'X-Bad: a\rb', '', 'POST /d HTTP/1.1', '', 'pasted ✓ body', '', ''].join('\n')}`;
    const expected = summarize(await read(mixed));
    expect(expected).toHaveLength(4);
    expect(summarize(await read(mixed, {}, [1]))).toEqual(expected);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        expect(summarize(await read(mixed, {}, sizes))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
