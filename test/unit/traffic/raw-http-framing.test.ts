import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaptureItem } from '../../../main/core/traffic/index.ts';
import { readRawHttp } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, summarize, text } from './helpers.ts';

// A Content-Length that no longer matches the pasted text: the body must not be judged over the wrong
// bytes, and the exchanges after it must keep their numbers.

const crlf = (lines: string[]): string => lines.join('\r\n');
const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJl';
const next = ['GET /next HTTP/1.1', 'Host: h', '', 'HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok'];

function read(rawText: string, sizes?: number[]): Promise<CaptureItem[]> {
  return collect(readRawHttp(chunked(bytesOf(rawText), sizes)));
}

/** Each item as [index, kind, what is unreadable and why] for comparison. */
function outline(items: CaptureItem[]): unknown[] {
  return items.map((item) =>
    item.kind === 'malformed' ? [item.entry.index, 'malformed', item.entry.reason] : [item.exchange.index, item.exchange.request.url, ...(item.exchange.unreadable ?? []).map((part) => `${part.direction} ${part.location}: ${part.reason}`)],
  );
}

describe('raw HTTP bodies whose Content-Length disagrees with the text', () => {
  it('makes a body shorter than the text unreadable and reads the next exchange as the next, with no phantom', async () => {
    const pasted = crlf(['GET /a HTTP/1.1', 'Host: h', '', 'HTTP/1.1 200 OK', 'Content-Type: application/jose', 'Content-Encoding: gzip', 'Content-Length: 20', '', JWS, '', ...next]);
    const items = await read(pasted);
    expect(outline(items)).toEqual([
      [0, 'https://h/a', `response body: Content-Length 20 disagrees with the text (the text goes on for ${JWS.length - 20} bytes past it before the next message; with Content-Encoding gzip, the body was probably pasted decoded)`],
      [1, 'https://h/next'],
    ]);
    const [first, second] = exchanges(items);
    expect(first?.response?.status).toBe(200);
    expect(first?.response?.body).toBeNull();
    expect(text(second?.response?.body)).toBe('ok');
  });

  it('makes a body that takes in the start of the next message unreadable, and reads that message', async () => {
    const body = '{"amount":100}';
    const pasted = crlf(['POST /pay HTTP/1.1', 'Host: h', 'X-JWS-Signature: e30..c2ln', `Content-Length: ${body.length + 9}`, '', body, 'HTTP/1.1 201 Created', 'Content-Length: 0', '', '', ...next]);
    const items = await read(pasted);
    expect(outline(items)).toEqual([
      [0, 'https://h/pay', `request body: Content-Length ${body.length + 9} disagrees with the text (the next message starts at byte ${body.length + 2} of the body)`],
      [1, 'https://h/next'],
    ]);
    const [payment] = exchanges(items);
    expect(payment?.request.body).toBeNull();
    expect(payment?.response?.status).toBe(201);
  });

  it('notices a next message swallowed whole when the declared body ends on a line boundary', async () => {
    const declared = `{}${crlf(['', '', 'GET /swallowed HTTP/1.1', 'Host: h', '', ''])}`;
    const pasted = `${crlf(['POST /a HTTP/1.1', 'Host: h', `Content-Length: ${declared.length}`, '', declared])}${crlf(next)}`;
    expect(outline(await read(pasted))).toEqual([
      [0, 'https://h/a', `request body: Content-Length ${declared.length} disagrees with the text (the next message starts at byte 6 of the body)`],
      [1, 'https://h/swallowed'],
      [2, 'https://h/next'],
    ]);
  });

  it('reads a message inside a declared body that runs past the end of the text', async () => {
    const pasted = crlf(['POST /a HTTP/1.1', 'Host: h', 'Content-Length: 500', '', '{}', 'HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok']);
    const items = await read(pasted);
    expect(outline(items)).toEqual([[0, 'https://h/a', 'request body: Content-Length 500 disagrees with the text (the next message starts at byte 4 of the body)']]);
    expect(text(exchanges(items)[0]?.response?.body)).toBe('ok');
  });

  it('counts the text left over as part of the exchange, up to the next start line', async () => {
    const pasted = crlf(['GET /a HTTP/1.1', '', 'HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok', 'stray note', '', 'more', '', 'GET /b HTTP/1.1', '', '']);
    const items = await read(pasted);
    expect(outline(items)).toEqual([
      [0, '/a', 'response body: Content-Length 2 disagrees with the text (the text goes on for 18 bytes past it before the next message)'],
      [1, '/b'],
    ]);
    const first = items[0];
    expect(first?.kind === 'exchange' && pasted.slice(first.offset, first.offset + first.length)).toMatch(/more\r\n\r\n$/);
  });

  it('keeps a start line after a blank line inside a body whose type carries messages (a batch)', async () => {
    const batch = crlf(['--b', 'Content-Type: application/http', '', 'GET /inner HTTP/1.1', 'Host: h', '', '--b--']);
    const pasted = crlf(['POST /$batch HTTP/1.1', 'Host: h', 'Content-Type: multipart/mixed; boundary=b', `Content-Length: ${batch.length}`, '', batch, ...next]);
    const items = await read(pasted);
    expect(outline(items)).toEqual([
      [0, 'https://h/$batch'],
      [1, 'https://h/next'],
    ]);
    expect(text(exchanges(items)[0]?.request.body)).toBe(batch);
  });

  it('reads a body followed directly by the next message, with or without blank lines between', async () => {
    for (const between of ['', '\r\n', '\r\n\r\n  \r\n']) {
      const pasted = `${crlf(['POST /a HTTP/1.1', 'Content-Length: 2', '', '{}'])}${between}${crlf(next)}`;
      const items = await read(pasted);
      expect(outline(items)).toEqual([
        [0, '/a'],
        [1, 'https://h/next'],
      ]);
      expect(text(exchanges(items)[0]?.request.body)).toBe('{}');
    }
  });

  it('marks a declared body as not recorded when headers run into the next message with no blank line', async () => {
    const items = await read(crlf(['POST /a HTTP/1.1', 'Host: h', 'Content-Length: 31', 'HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok']));
    const [exchange] = exchanges(items);
    expect(exchange?.request).toMatchObject({ body: null, bodyCapture: 'missing' });
    expect(exchange?.unreadable).toBeUndefined();
    expect(text(exchange?.response?.body)).toBe('ok');
  });

  it('gives the same output in chunks of any size', async () => {
    const pasted = crlf([
      'POST /long HTTP/1.1',
      'Content-Length: 40',
      '',
      '{"a":1}',
      'HTTP/1.1 200 OK',
      'Content-Length: 1',
      '',
      'okay',
      '',
      'GET /after HTTP/1.1',
      'Content-Length: 300',
      '',
      'x',
      '',
      'HTTP/1.1 204 No Content',
      '',
      '',
    ]);
    const expected = summarize(await read(pasted));
    expect(outline(await read(pasted))).toEqual([
      [0, '/long', 'request body: Content-Length 40 disagrees with the text (the next message starts at byte 9 of the body)', 'response body: Content-Length 1 disagrees with the text (the text goes on for 3 bytes past it before the next message)'],
      [1, '/after', 'request body: Content-Length 300 disagrees with the text (the next message starts at byte 5 of the body)'],
    ]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), async (sizes) => {
        expect(summarize(await read(pasted, sizes))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
