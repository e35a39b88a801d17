import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHar, type CaptureItem } from '../../../main/core/traffic/index.ts';
import { chunked, collect, exchanges } from './helpers.ts';

// Body texts of 4 KiB and more in ASCII entries are read from the entry's bytes, in pieces of
// 64 KiB, rather than through JSON.parse (lifted-texts.ts): they must read exactly as JSON.parse
// reads them, and an entry that JSON.parse refuses must be refused with the same reason.

const PIECE = 64 * 1024;

/** An entry with the given response `content` members, written as is (escapes and all). */
function entryText(content: string, options: { status?: number; request?: string; extra?: string } = {}): string {
  const request = `{"method": "GET", "url": "/big"${options.request ?? ''}}`;
  return `{"startedDateTime": "2024-03-05T09:12:33.421Z", ${options.extra ?? ''}"request": ${request}, "response": {"status": ${options.status ?? 200}, "headers": [], "content": {${content}}}}`;
}

async function read(entry: string, sizes?: number[]): Promise<CaptureItem> {
  const har = Buffer.from(`{"log": {"version": "1.2", "entries": [${entry}]}}`, 'latin1');
  const [item] = await collect(readHar(chunked(har, sizes)));
  if (item === undefined) throw new Error('no item');
  return item;
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the entry reads as through JSON.parse: the body (its digest), or the reason it is not valid JSON. */
function reference(entry: string): { body: string } | { reason: string } {
  try {
    const content = (JSON.parse(entry) as { response: { content: { text: string; encoding?: string } } }).response.content;
    return { body: digest(Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8')) };
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    return { reason: `entry is not valid JSON (near character ${position} of the entry)` };
  }
}

function outcome(item: CaptureItem): { body: string } | { reason: string } {
  if (item.kind === 'malformed') return { reason: item.entry.reason };
  const unreadable = item.exchange.unreadable?.[0];
  if (unreadable) return { reason: unreadable.reason };
  return { body: digest(item.exchange.response?.body ?? new Uint8Array()) };
}

const base64Of = (length: number) => randomBytes(length).toString('base64');

describe('long HAR bodies', () => {
  it('decodes a base64 body of several pieces, with padding, to the bytes it encodes', async () => {
    const bytes = randomBytes(3 * PIECE + 1);
    const item = await read(entryText(`"text": "${bytes.toString('base64')}", "encoding": "base64"`), [5000, 70_000]);
    expect(item.kind === 'exchange' && Buffer.from(item.exchange.response?.body ?? []).equals(bytes)).toBe(true);
  });

  it('decodes base64 written with escaped line breaks, as MIME encoders write it', async () => {
    const entry = entryText(`"encoding": "base64", "text": "${base64Of(2 * PIECE).replace(/(.{76})/g, '$1\\r\\n')}"`);
    expect(outcome(await read(entry))).toEqual(reference(entry));
  });

  it('reads escapes and surrogate pairs that fall where a piece would end', async () => {
    for (let shift = 0; shift <= 12; shift++) {
      const entry = entryText(`"text": "${'a'.repeat(PIECE - shift)}\\ud83d\\ude00\\n\\"${'b'.repeat(5000)}"`);
      expect(outcome(await read(entry))).toEqual(reference(entry));
    }
  });

  it('reads any long text, valid or not, as JSON.parse does', async () => {
    const piece = fc.constantFrom('a', 'xyz ', '\\n', '\\"', '\\\\', '\\/', '\\u00e9', '\\u0041', '\\ud83d\\ude00', '\\ud800', '\\t', '\u0001', '\\x', '\\uZZ');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.nat({ max: 12 }), async (pieces, shift) => {
        const entry = entryText(`"text": "${'q'.repeat(PIECE - shift)}${pieces.join('')}"`);
        expect(outcome(await read(entry))).toEqual(reference(entry));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a raw control character in a long body where JSON.parse finds it', async () => {
    const entry = entryText(`"text": "${base64Of(6000)}\u0001", "encoding": "base64"`);
    expect(outcome(await read(entry))).toEqual({ reason: `entry is not valid JSON (near character ${entry.indexOf('\u0001')} of the entry)` });
  });

  it('refuses invalid JSON in long texts the reader does not use', async () => {
    const broken = `"text": "${'x'.repeat(5000)}\u0001"`;
    for (const entry of [entryText('"mimeType": "x"', { extra: `"_cache": {${broken}}, ` }), entryText(broken, { status: 0 })]) {
      expect(outcome(await read(entry))).toEqual({ reason: `entry is not valid JSON (near character ${entry.indexOf('\u0001')} of the entry)` });
    }
  });

  it('reports a long body in an unsupported encoding, unless its JSON is invalid', async () => {
    const text = 'x'.repeat(5000);
    expect(outcome(await read(entryText(`"text": "${text}", "encoding": "gzip"`)))).toEqual({ reason: 'response.content.encoding "gzip" is not supported (only base64)' });
    expect(outcome(await read(entryText(`"text": "${text}\u0001", "encoding": "gzip"`)))).toMatchObject({ reason: expect.stringMatching(/^entry is not valid JSON/) });
  });

  it('refuses a long base64 body with characters outside the alphabet', async () => {
    expect(outcome(await read(entryText(`"text": "${base64Of(6000)}$$", "encoding": "base64"`)))).toEqual({ reason: 'response.content.text is not valid base64' });
  });

  it('keeps a short body that looks like a placeholder, and a header value that looks like a text property', async () => {
    const body = randomBytes(6000);
    const lookalike = `\\"text\\": \\"${base64Of(6000)}\\"`;
    const entry = entryText(`"text": "${body.toString('base64')}", "encoding": "base64"`, {
      request: `, "headers": [{"name": "X-Quoted", "value": "${lookalike}"}], "postData": {"text": "\\u00000"}`,
    });
    const [exchange] = exchanges([await read(entry)]);
    expect(exchange?.request.headers[0]?.value).toBe(JSON.parse(`"${lookalike}"`));
    expect(exchange?.request.body && Buffer.from(exchange.request.body).toString('hex')).toBe('0030');
    expect(exchange?.response?.body && Buffer.from(exchange.response.body).equals(body)).toBe(true);
  });
});
