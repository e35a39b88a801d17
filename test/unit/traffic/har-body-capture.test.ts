import { describe, expect, it } from 'vitest';
import { readHar } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges } from './helpers.ts';

// A body the capture did not keep must not read as an empty body: checks over it would say "invalid".

async function one(entry: Record<string, unknown>) {
  const [exchange] = exchanges(await collect(readHar(chunked(bytesOf(JSON.stringify({ log: { entries: [entry] } }))))));
  if (!exchange) throw new Error('no exchange');
  return exchange;
}

const request = (fields: Record<string, unknown>) => ({ method: 'POST', url: 'https://a.test/x', ...fields });

describe('bodies a HAR did not record', () => {
  it('marks a request body declared (Content-Length, bodySize, chunked) but absent as missing', async () => {
    for (const fields of [{ headers: [{ name: 'content-length', value: '17' }] }, { bodySize: 17 }, { headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] }, { bodySize: 17, postData: { mimeType: 'application/json' } }]) {
      const exchange = await one({ request: request(fields) });
      expect([exchange.request.body, exchange.request.bodyCapture]).toEqual([null, 'missing']);
    }
  });

  it('leaves a request with no body at all alone', async () => {
    for (const fields of [{}, { bodySize: 0 }, { bodySize: -1, headers: [{ name: 'Content-Length', value: '0' }] }]) {
      expect((await one({ request: request(fields) })).request.bodyCapture).toBeUndefined();
    }
  });

  it('marks a form rebuilt from params as rebuilt, and multipart params as missing', async () => {
    const urlencoded = await one({ request: request({ postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'a b' }] } }) });
    expect([Buffer.from(urlencoded.request.body ?? []).toString(), urlencoded.request.bodyCapture]).toEqual(['q=a+b', 'rebuilt']);
    const multipart = await one({ request: request({ postData: { mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'f', value: 'v' }] } }) });
    expect([multipart.request.body, multipart.request.bodyCapture]).toEqual([null, 'missing']);
  });

  it('marks a response whose content has a size but no text as missing', async () => {
    const missing = await one({ request: request({}), response: { status: 200, content: { size: 512, mimeType: 'application/jose' } } });
    expect(missing.response?.bodyCapture).toBe('missing');
    const empty = await one({ request: request({}), response: { status: 204, content: { size: 0, mimeType: '' } } });
    expect(empty.response?.bodyCapture).toBeUndefined();
  });
});
