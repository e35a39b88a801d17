import { describe, expect, it } from 'vitest';
import { readCapture } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, harText, minimalEntry } from './helpers.ts';

function read(bytes: Uint8Array, sizes?: number[]) {
  return collect(readCapture(chunked(bytes, sizes)));
}

describe('readCapture', () => {
  it('reads a HAR, recognised by its "{"', async () => {
    const items = await read(bytesOf(`\n  ${harText([minimalEntry('https://a.example/har')])}`), [1]);
    expect(exchanges(items)[0]?.request.url).toBe('https://a.example/har');
  });

  it('reads a HAR that starts with a byte order mark', async () => {
    const items = await read(new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(harText([minimalEntry('/bom')]))]), [2]);
    expect(exchanges(items)).toHaveLength(1);
  });

  it('reads raw HTTP, recognised by a request line, even when that line arrives in pieces', async () => {
    const items = await read(bytesOf('\r\nDELETE /keys/7 HTTP/1.1\r\nHost: api.example\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'), [3]);
    const [exchange] = exchanges(items);
    expect(exchange?.request.method).toBe('DELETE');
    expect(exchange?.response?.status).toBe(204);
  });

  it('reads raw HTTP whose request line is longer than the sniffed prefix', async () => {
    const url = `/search?q=${'a'.repeat(20_000)}`;
    const items = await read(bytesOf(`GET ${url} HTTP/1.1\r\n\r\n`), [1000]);
    expect(exchanges(items)[0]?.request.url).toBe(url);
  });

  it('asks for the request when raw HTTP starts with a response', async () => {
    await expect(read(bytesOf('HTTP/1.1 200 OK\r\n\r\n'))).rejects.toMatchObject({ code: 'ERR_HTTP_MALFORMED', message: expect.stringMatching(/starts with a response/) as unknown });
  });

  it('refuses binary junk as neither format', async () => {
    await expect(read(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).rejects.toMatchObject({
      code: 'ERR_HAR_MALFORMED',
      message: expect.stringMatching(/not a HAR or raw HTTP capture/) as unknown,
    });
  });

  it('refuses a long first line that is not a request line without reading the whole file', async () => {
    let chunksPulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        chunksPulled++;
        yield bytesOf('x'.repeat(1024));
      }
    }
    await expect(collect(readCapture(endless()))).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED' });
    expect(chunksPulled).toBeLessThanOrEqual(20);
  });

  it('refuses an empty file', async () => {
    await expect(read(new Uint8Array(0))).rejects.toMatchObject({ message: expect.stringMatching(/the file is empty/) as unknown });
  });
});
