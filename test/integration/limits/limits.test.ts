import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/api/dispatch.ts';
import { readRawHttp, readHar } from '../../../main/core/traffic/index.ts';
import { inspectFile } from '../../../main/services/inspection.ts';
import { DEFAULT_SETTINGS } from '../../../main/services/settings.ts';
import { harEntry, harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function jwks(count: number): string {
  const keys = Array.from({ length: count }, (_unused, index) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: `partner-${index}` }));
  return JSON.stringify({ keys });
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('limits as settings', () => {
  it('has safe defaults, shown with every other setting', async () => {
    const settings = await dispatch(store.session, 'settings.get', {});
    expect(settings.limits).toEqual(DEFAULT_SETTINGS.limits);
    expect(settings.limits).toMatchObject({ captureEntryBytes: 64 * 1024 * 1024, headerBytes: 64 * 1024, keyFileBytes: 1024 * 1024, keysPerFile: 1000 });
  });

  it('refuses a limit outside its sane range', async () => {
    await expect(dispatch(store.session, 'settings.update', { limits: { keyFileBytes: 1024 * 1024 * 1024 } })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
    await expect(dispatch(store.session, 'settings.update', { limits: { tokenChars: 0 } })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });

  it('refuses a key file over limits.keyFileBytes with ERR_TOO_LARGE naming the setting, and stores nothing', async () => {
    await dispatch(store.session, 'settings.update', { limits: { keyFileBytes: 2048 } });
    const file = jwks(20);
    expect(file.length).toBeGreaterThan(2048);
    await expect(dispatch(store.session, 'keys.import', { contentBase64: base64(file) })).rejects.toMatchObject({
      code: 'ERR_TOO_LARGE',
      message: expect.stringContaining('limits.keyFileBytes'),
    });
    expect(store.session.keys.count()).toBe(0);
  });

  it('refuses a JWKS with more keys than limits.keysPerFile, and stores none of them', async () => {
    await dispatch(store.session, 'settings.update', { limits: { keysPerFile: 5 } });
    await expect(dispatch(store.session, 'keys.import', { contentBase64: base64(jwks(6)) })).rejects.toMatchObject({
      code: 'ERR_TOO_LARGE',
      message: expect.stringMatching(/6 keys; the limit is 5 keys \(setting limits\.keysPerFile/),
    });
    expect(store.session.keys.count()).toBe(0);
    await expect(dispatch(store.session, 'keys.import', { contentBase64: base64(jwks(5)) })).resolves.toHaveLength(5);
  });

  it('refuses a token over limits.tokenChars before decoding it', async () => {
    await dispatch(store.session, 'settings.update', { limits: { tokenChars: 1024 } });
    const token = `eyJhbGciOiJFUzI1NiJ9.${'A'.repeat(2000)}.AAAA`;
    for (const method of ['jose.verify', 'jose.decrypt', 'jose.decode'] as const) {
      await expect(dispatch(store.session, method, { token })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE', message: expect.stringContaining('limits.tokenChars') });
    }
  });

  it('refuses a token over the contract bound (16 MiB) at the boundary, whatever the settings', async () => {
    await expect(dispatch(store.session, 'jose.decode', { token: 'a'.repeat(16 * 1024 * 1024 + 1) })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });
});

describe('limits in the capture readers', () => {
  it('skips a HAR entry over maxEntryBytes as malformed, and reads on', async () => {
    const big = { request: { method: 'GET', url: 'https://a.test/', headers: [{ name: 'X-Big', value: 'x'.repeat(5000) }] } };
    const small = { request: { method: 'GET', url: 'https://a.test/small', headers: [] } };
    const items = [];
    for await (const item of readHar(once(Buffer.from(JSON.stringify({ log: { entries: [big, small] } }))), { maxEntryBytes: 4096 })) items.push(item);
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
    expect(items[0]).toMatchObject({ entry: { reason: expect.stringContaining('over the 4096-byte limit; skipped') } });
  });

  it('refuses a raw-HTTP header section over maxHeaderBytes as malformed, and reads on', async () => {
    const text = `GET /a HTTP/1.1\r\nHost: a.test\r\nX-Big: ${'x'.repeat(5000)}\r\n\r\nGET /b HTTP/1.1\r\nHost: a.test\r\n\r\n`;
    const items = [];
    for await (const item of readRawHttp(once(Buffer.from(text)), { maxHeaderBytes: 1024 })) items.push(item);
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
    expect(items[0]).toMatchObject({ entry: { reason: expect.stringContaining('longer than 1024 bytes') } });
  });
});

describe('limits from the settings in capture inspection', () => {
  // An entry over limits.captureEntryBytes (min 64 KiB) among small ones, on this thread and on workers.
  const big = harEntry({ method: 'POST', url: 'https://a.test/big', body: 'x'.repeat(100 * 1024) });
  const capture = () => writeCapture(store.dir, 'limits.har', harText([{ url: 'https://a.test/one' }, big, { url: 'https://a.test/two' }]));

  it.each([0, 1])('skips an entry over limits.captureEntryBytes as malformed and reads on (%i workers)', async (workers) => {
    await dispatch(store.session, 'settings.update', { limits: { captureEntryBytes: 64 * 1024 } });
    const items = [];
    for await (const item of inspectFile(store.session, { path: capture(), workers })) items.push(item);
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'malformed', 'exchange']);
    expect(items[1]?.findings[0]).toMatchObject({ verdict: 'malformed', detail: expect.stringContaining('over the 65536-byte limit') });
  });

  it('reads the same entry whole under the default limit', async () => {
    const items = [];
    for await (const item of inspectFile(store.session, { path: capture(), workers: 1 })) items.push(item);
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'exchange', 'exchange']);
  });

  it('applies limits.headerBytes to raw HTTP captures', async () => {
    await dispatch(store.session, 'settings.update', { limits: { headerBytes: 1024 } });
    const path = writeCapture(store.dir, 'limits.http', `GET /a HTTP/1.1\r\nHost: a.test\r\nX-Big: ${'x'.repeat(5000)}\r\n\r\nGET /b HTTP/1.1\r\nHost: a.test\r\n\r\n`);
    const items = [];
    for await (const item of inspectFile(store.session, { path })) items.push(item);
    expect(items.map((item) => item.kind)).toEqual(['malformed', 'exchange']);
  });
});

