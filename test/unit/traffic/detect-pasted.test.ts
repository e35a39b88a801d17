import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, harText, minimalEntry, summarize, text } from './helpers.ts';

// Captures as they arrive from a terminal or a browser's "save": compressed, in UTF-16, or curl -v output.

function read(bytes: Uint8Array, sizes?: number[]) {
  return collect(readCapture(chunked(bytes, sizes)));
}

const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJhbW91bnQiOjEwMH0.c2lnbmF0dXJl';
const har = harText([minimalEntry('https://a.example/har')]);

describe('readCapture of files saved in another form', () => {
  it('asks for a gzip-compressed file to be gunzipped', async () => {
    await expect(read(gzipSync(har))).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED', message: 'the file is gzip-compressed: gunzip it first' });
  });

  it('asks for UTF-16 to be saved as UTF-8, with either byte order mark or none, however it is chunked', async () => {
    const le = Buffer.from(har, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), Buffer.concat([Buffer.from([0xfe, 0xff]), be]), le, be]) {
      await expect(read(bytes, [1])).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED', message: 'the file is UTF-16 text: save it as UTF-8' });
    }
    await expect(read(Buffer.from('GET / HTTP/1.1\r\n\r\n', 'utf16le'))).rejects.toMatchObject({ message: 'the file is UTF-16 text: save it as UTF-8' });
  });

  it('still reads a HAR or raw HTTP shorter than the bytes looked at for an encoding', async () => {
    await expect(read(bytesOf('{}'))).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED', message: expect.not.stringMatching(/gzip|UTF-16/) as unknown });
    expect(exchanges(await read(bytesOf('GET / HTTP/1.1'), [1]))).toHaveLength(1);
  });
});

describe('readCapture of curl -v output', () => {
  const verbose = [
    'Note: Unnecessary use of -X or --request, POST is already inferred.',
    '*   Trying 192.0.2.7:443...',
    '* Connected to api.klix.example (192.0.2.7) port 443 (#0)',
    '> POST /v1/pay HTTP/1.1',
    '> Host: api.klix.example',
    '> Content-Type: application/json',
    '> X-JWS-Signature: eyJhbGciOiJFUzI1NiJ9..c2ln',
    '> Content-Length: 14',
    '> ',
    '} [14 bytes data]',
    '* upload completely sent off: 14 bytes',
    '< HTTP/1.1 200 OK',
    '< Content-Type: application/jose',
    `< Content-Length: ${JWS.length}`,
    '< ',
    '{ [52 bytes data]',
    `${JWS}* Connection #0 to host api.klix.example left intact`,
    '> GET /v1/pay/7 HTTP/2',
    '> Host: api.klix.example',
    '>',
    '< HTTP/2 200 ',
    '< content-type: application/json',
    '<',
    '{"status":"paid"}',
    '',
    '* Connection #0 to host api.klix.example left intact',
    '',
  ];

  it('reads the exchanges it shows: request heads, response heads, and response bodies as printed', async () => {
    const [payment, lookup, ...rest] = exchanges(await read(bytesOf(verbose.join('\n'))));
    expect(rest).toEqual([]);
    expect(payment?.request).toMatchObject({ method: 'POST', url: 'https://api.klix.example/v1/pay', body: null });
    expect(payment?.response?.status).toBe(200);
    expect(text(payment?.response?.body)).toBe(JWS);
    expect(payment?.unreadable).toBeUndefined();
    expect(lookup?.request).toMatchObject({ method: 'GET', url: 'https://api.klix.example/v1/pay/7', httpVersion: 'HTTP/2', body: null });
    expect(lookup?.response?.headers).toEqual([{ name: 'content-type', value: 'application/json' }]);
    expect(text(lookup?.response?.body)).toBe('{"status":"paid"}');
  });

  it('marks a request body the head declares as not recorded: curl -v never shows it', async () => {
    const [payment, lookup] = exchanges(await read(bytesOf(verbose.join('\n'))));
    expect(payment?.request.bodyCapture).toBe('missing');
    expect(lookup?.request.bodyCapture).toBeUndefined();
  });

  it('reads it with CRLF line ends and in chunks of any size alike', async () => {
    const lf = await read(bytesOf(verbose.join('\n')));
    const crlf = await read(bytesOf(verbose.map((line) => (line.startsWith('> ') || line.startsWith('< ') || line === '<' || line === '>' ? `${line}\r` : line)).join('\n')));
    const seen = (items: typeof lf) => exchanges(items).map((exchange) => [exchange.request.url, exchange.request.bodyCapture, exchange.response?.status, text(exchange.response?.body)]);
    expect(seen(crlf)).toEqual(seen(lf));
    const expected = summarize(lf);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 10 }), async (sizes) => {
        expect(summarize(await read(bytesOf(verbose.join('\n')), sizes))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('streams a response body longer than a line is held, cutting the note curl printed after it', async () => {
    const body = `{"blob":"${'x'.repeat(200_000)}"}`;
    const pasted = ['> GET /big HTTP/1.1', '> Host: h', '> ', '< HTTP/1.1 200 OK', '< ', `${body}* Connection #0 to host h left intact`, ''].join('\n');
    const [exchange] = exchanges(await read(bytesOf(pasted), [4096]));
    expect(text(exchange?.response?.body)).toBe(body);
  });
});
