import { Buffer } from 'node:buffer';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SignetError } from '../../../main/core/errors.ts';
import type { CaptureItem, Exchange } from '../../../main/core/traffic/index.ts';
import { readHar } from '../../../main/core/traffic/index.ts';
import { bytesOf, chunked, collect, exchanges, harText, minimalEntry } from './helpers.ts';

async function readText(fileText: string | Uint8Array, options = {}): Promise<CaptureItem[]> {
  const bytes = typeof fileText === 'string' ? bytesOf(fileText) : fileText;
  return collect(readHar(chunked(bytes, [7]), options));
}

/** Reads until the reader throws; returns what was yielded before and the error. */
async function readUntilError(fileText: string | Uint8Array): Promise<{ items: CaptureItem[]; error: SignetError }> {
  const items: CaptureItem[] = [];
  const bytes = typeof fileText === 'string' ? bytesOf(fileText) : fileText;
  try {
    for await (const item of readHar(chunked(bytes, [7]))) items.push(item);
  } catch (error) {
    if (error instanceof SignetError) return { items, error };
    throw error;
  }
  throw new Error('the reader did not throw');
}

const twoEntries = harText([minimalEntry('https://a.example/1'), minimalEntry('https://a.example/2')]);

describe('HAR files that cannot be read', () => {
  it('refuses a file that is not JSON, naming the byte', async () => {
    const { error } = await readUntilError('<html><body>Sign in</body></html>');
    expect(error.code).toBe('ERR_HAR_MALFORMED');
    expect(error.message).toMatch(/not JSON: a HAR starts with "\{", found "<" at byte 0/);
  });

  it('refuses binary junk', async () => {
    const { error } = await readUntilError(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff]));
    expect(error.code).toBe('ERR_HAR_MALFORMED');
    expect(error.message).toMatch(/byte 0x1f at byte 0/);
  });

  it('refuses an empty file', async () => {
    const { error } = await readUntilError('  \n');
    expect(error.message).toMatch(/the file is empty/);
  });

  it('reports a file truncated inside an entry with the entry index and where it starts, after the entries before it', async () => {
    const cut = twoEntries.slice(0, twoEntries.lastIndexOf('https://a.example/2'));
    const { items, error } = await readUntilError(cut);
    expect(exchanges(items).map((exchange) => exchange.request.url)).toEqual(['https://a.example/1']);
    expect(error.code).toBe('ERR_HAR_MALFORMED');
    expect(error.message).toMatch(new RegExp(`truncated: the file ends at byte ${bytesOf(cut).length}, inside entry 1 \\(which starts at byte \\d+\\)`));
  });

  it('reports a file truncated after the last entry', async () => {
    const { items, error } = await readUntilError(twoEntries.slice(0, -2));
    expect(items).toHaveLength(2);
    expect(error.message).toMatch(/HAR is truncated: the file ends at byte \d+ \(after entry 1\)/);
  });

  it('refuses JSON without log.entries', async () => {
    const { error } = await readUntilError('{"log": {"version": "1.2", "creator": {"name": "x"}}}');
    expect(error.message).toMatch(/"log" has no "entries" array/);
  });

  it('refuses JSON without a log', async () => {
    const { error } = await readUntilError('{"entries": []}');
    expect(error.message).toMatch(/no "log" object/);
  });

  it('refuses log.entries that is not an array', async () => {
    const { error } = await readUntilError('{"log": {"entries": {"0": {}}}}');
    expect(error.message).toMatch(/"log.entries" is not an array, found "\{" at byte 20/);
  });

  it('refuses data after the end of the HAR', async () => {
    const { items, error } = await readUntilError(`${twoEntries}\n{"log":{}}`);
    expect(items).toHaveLength(2);
    expect(error.message).toMatch(new RegExp(`unexpected data after the end of the HAR: "\\{" at byte ${bytesOf(twoEntries).length + 1}`));
  });

  it('refuses junk between entries', async () => {
    const { items, error } = await readUntilError(twoEntries.replace('},{"startedDateTime"', '} @ {"startedDateTime"'));
    expect(items).toHaveLength(1);
    expect(error.message).toMatch(/expected "," or "\]" after an entry, found "@" at byte \d+ \(after entry 0\)/);
  });

  it('refuses mismatched brackets, since the entry cannot be delimited', async () => {
    const { error } = await readUntilError('{"log": {"entries": [{"request": [1, 2}]}}');
    expect(error.message).toMatch(/mismatched bracket "\}" at byte 38 \(inside entry 0/);
  });

  it('refuses nesting deeper than 256 levels without overflowing the stack', async () => {
    const deep = `{"log": {"entries": [${'['.repeat(100_000)}]}}`;
    const { error } = await readUntilError(deep);
    expect(error.code).toBe('ERR_HAR_MALFORMED');
    expect(error.message).toMatch(/nesting deeper than 256 levels at byte \d+ \(inside entry 0/);
  });

  it('accepts nesting up to the limit', async () => {
    const nested = minimalEntry('https://a.example/deep', { _initiator: JSON.parse(`${'['.repeat(250)}${']'.repeat(250)}`) as unknown });
    const items = await readText(harText([nested]));
    expect(exchanges(items)).toHaveLength(1);
  });
});

describe('HAR entries that are broken on their own', () => {
  function middleBroken(broken: string): string {
    const good = JSON.stringify(minimalEntry('https://a.example/ok'));
    return `{"log": {"version": "1.2", "entries": [${good}, ${broken}, ${good}]}}`;
  }

  async function malformedReason(broken: string): Promise<{ items: CaptureItem[]; reason: string }> {
    const items = await readText(middleBroken(broken));
    const item = items[1];
    if (item?.kind !== 'malformed') throw new Error('entry 1 was not reported malformed');
    return { items, reason: item.entry.reason };
  }

  it('reports an entry without a request, with its index and offset, and reads the others', async () => {
    const fileText = middleBroken('{"response": {"status": 200}}');
    const items = await readText(fileText);
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'malformed', 'exchange']);
    expect(items[1]).toEqual({ kind: 'malformed', entry: { index: 1, offset: fileText.indexOf('{"response"'), reason: 'request is missing or not an object' } });
    expect(exchanges(items).map((exchange) => exchange.index)).toEqual([0, 2]);
  });

  it('reports unparsable JSON inside a well-delimited entry without quoting it', async () => {
    const { items, reason } = await malformedReason('{"request": {"method": "GET", "url": "https://secret.example/?token=abc", "x": nope}}');
    expect(reason).toBe('entry is not valid JSON');
    expect(items).toHaveLength(3);
  });

  it('says where in the entry the JSON breaks when the parser knows', async () => {
    const { reason } = await malformedReason('{"request": {"method": "GET", "url": "/\u0001"}}');
    expect(reason).toMatch(/^entry is not valid JSON \(near character \d+ of the entry\)$/);
  });

  it('reports headers that are not {name, value} pairs', async () => {
    const { reason } = await malformedReason('{"request": {"method": "GET", "url": "/", "headers": [{"name": "a", "value": 1}]}}');
    expect(reason).toBe('request.headers[0] needs a string name and value');
  });

  it('reports a method that is not a string', async () => {
    const { reason } = await malformedReason('{"request": {"method": 7, "url": "/"}}');
    expect(reason).toBe('request.method is missing or not a string');
  });

  it('reports an entry that is not an object', async () => {
    const { reason } = await malformedReason('"just text"');
    expect(reason).toBe('entry is missing or not an object');
  });

  /** The middle entry read as an exchange, with what could not be read of it. */
  async function unreadableParts(broken: string): Promise<Exchange['unreadable']> {
    const items = await readText(middleBroken(broken));
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'exchange', 'exchange']);
    const [, middle] = exchanges(items);
    return middle?.unreadable;
  }

  it('keeps the request of an exchange whose response body is not valid base64, and the response\'s status and headers', async () => {
    const items = await readText(middleBroken('{"request": {"method": "GET", "url": "/"}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/jose"}], "content": {"text": "ab$cd", "encoding": "base64"}}}'));
    const [, kept] = exchanges(items);
    expect(kept?.response).toMatchObject({ status: 200, headers: [{ name: 'Content-Type', value: 'application/jose' }], body: null });
    const parts = await unreadableParts('{"request": {"method": "POST", "url": "/", "postData": {"text": "{}"}}, "response": {"status": 200, "content": {"text": "ab$cd", "encoding": "base64"}}}');
    expect(parts).toEqual([{ direction: 'response', location: 'response.content', reason: 'response.content.text is not valid base64' }]);
  });

  it('reports a body encoding it cannot decode as that side unreadable', async () => {
    const parts = await unreadableParts('{"request": {"method": "GET", "url": "/"}, "response": {"status": 200, "content": {"text": "x", "encoding": "gzip"}}}');
    expect(parts).toEqual([{ direction: 'response', location: 'response.content', reason: 'response.content.encoding "gzip" is not supported (only base64)' }]);
  });

  it('reports a response without a status, or a request body it cannot read, as that side unreadable', async () => {
    expect(await unreadableParts('{"request": {"method": "GET", "url": "/"}, "response": {"status": "200"}}')).toEqual([
      { direction: 'response', location: 'response', reason: 'response.status is missing or not an integer' },
    ]);
    const items = await readText(middleBroken('{"request": {"method": "POST", "url": "/", "headers": [{"name": "A", "value": "b"}], "postData": {"text": "%%", "encoding": "base64"}}, "response": {"status": 204}}'));
    const [, middle] = exchanges(items);
    expect(middle?.unreadable).toEqual([{ direction: 'request', location: 'request.postData', reason: 'request.postData.text is not valid base64' }]);
    expect(middle?.request).toMatchObject({ method: 'POST', headers: [{ name: 'A', value: 'b' }], body: null });
    expect(middle?.response?.status).toBe(204);
  });

  it('accepts base64 with line breaks, as MIME encoders write it', async () => {
    const items = await readText(middleBroken('{"request": {"method": "GET", "url": "/"}, "response": {"status": 200, "content": {"text": "aGVs\\nbG8=", "encoding": "base64"}}}'));
    const [, decoded] = exchanges(items);
    expect(decoded?.response?.body && Buffer.from(decoded.response.body).toString()).toBe('hello');
  });

  it('skips an entry over maxEntryBytes without holding it, and reads on', async () => {
    const big = JSON.stringify(minimalEntry('https://a.example/big', { _padding: 'x'.repeat(10_000) }));
    const items = await readText(middleBroken(big), { maxEntryBytes: 4096 });
    expect(items.map((item) => item.kind)).toEqual(['exchange', 'malformed', 'exchange']);
    const skipped = items[1];
    expect(skipped?.kind === 'malformed' && skipped.entry.reason).toBe(`entry is ${big.length} bytes, over the 4096-byte limit; skipped`);
  });

  it('gives a missing or invalid startedDateTime as an unknown time', async () => {
    const items = await readText(harText([minimalEntry('/a', { startedDateTime: 'yesterday' }), minimalEntry('/b', { startedDateTime: undefined })]));
    expect(exchanges(items).map((exchange) => exchange.startedAt)).toEqual([null, null]);
  });

  it('reads a startedDateTime without an offset as UTC, whatever the machine\'s zone', async () => {
    // Node reads TZ anew for each conversion: a zone far from UTC, so local-time parsing would show.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    onTestFinished(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });
    const items = await readText(harText([minimalEntry('/a', { startedDateTime: '2026-06-01T12:00:00.250' }), minimalEntry('/b', { startedDateTime: '2026-06-01T12:00:00+02:00' })]));
    expect(exchanges(items).map((exchange) => exchange.startedAt?.toISOString())).toEqual(['2026-06-01T12:00:00.250Z', '2026-06-01T10:00:00.000Z']);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(twoEntries)]);
    expect(exchanges(await readText(withBom))).toHaveLength(2);
  });

  it('finds entries under a property name written with escapes', async () => {
    const items = await readText(`{"log": {"entr\\u0069es": [${JSON.stringify(minimalEntry('/escaped'))}]}}`);
    expect(exchanges(items)[0]?.request.url).toBe('/escaped');
  });

  it('ignores "entries" anywhere but directly under log', async () => {
    const fileText = `{"other": {"entries": [1]}, "log": {"pages": [{"entries": [2]}], "entries": [${JSON.stringify(minimalEntry('/real'))}]}}`;
    expect(exchanges(await readText(fileText)).map((exchange) => exchange.request.url)).toEqual(['/real']);
  });
});
