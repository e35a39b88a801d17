import { Buffer } from 'node:buffer';
import { headersDeclareBody, type Exchange, type Header, type HttpRequest, type HttpResponse, type UnreadablePart } from './exchange.ts';
import { decodedWhole, type LiftedTexts } from './lifted-texts.ts';

/**
 * One HAR 1.2 entry (already `JSON.parse`d) to an Exchange, or the reason it cannot be one.
 * Written against what real tools emit rather than the letter of the spec: Chrome and Playwright
 * omit `postData` and `content.text`, write `status: 0` / `-1` for requests that got no answer,
 * and add `_`-prefixed fields (never read here); Charles, Fiddler, Firefox and mitmproxy put
 * binary bodies in base64. Hand-written checks rather than a schema library: this runs once per
 * entry on gigabyte files. With `lifted`, body texts may be placeholders for values left out of the
 * parse (see lifted-texts.ts).
 */

type Fields = Record<string, unknown>;

class EntryProblem extends Error {}

/**
 * A request that cannot be told (no method or URL) makes the whole entry malformed. A body that
 * cannot be decoded, or a response that cannot be read, makes only that side unreadable: a bad
 * response must not hide whether the request was signed correctly.
 */
export function exchangeFromEntry(entry: unknown, index: number, lifted: LiftedTexts | null): Exchange | string {
  try {
    const fields = record(entry, 'entry');
    const unreadable: UnreadablePart[] = [];
    const request = requestFrom(record(fields.request, 'request'), lifted, unreadable);
    const response = responseOf(fields.response, lifted, unreadable);
    const exchange: Exchange = { index, startedAt: instant(fields.startedDateTime), request, response };
    if (unreadable.length > 0) exchange.unreadable = unreadable;
    return exchange;
  } catch (error) {
    if (error instanceof EntryProblem) return error.message;
    throw error;
  }
}

function responseOf(value: unknown, lifted: LiftedTexts | null, unreadable: UnreadablePart[]): HttpResponse | null {
  if (value === undefined || value === null) return null;
  try {
    return responseFrom(record(value, 'response'), lifted, unreadable);
  } catch (error) {
    if (!(error instanceof EntryProblem)) throw error;
    unreadable.push({ direction: 'response', location: 'response', reason: error.message });
    return null;
  }
}

function requestFrom(fields: Fields, lifted: LiftedTexts | null, unreadable: UnreadablePart[]): HttpRequest {
  const request: HttpRequest = {
    method: requiredString(fields.method, 'request.method'),
    url: requiredString(fields.url, 'request.url'),
    httpVersion: optionalString(fields.httpVersion, 'request.httpVersion') ?? '',
    headers: headers(fields.headers, 'request.headers'),
    body: null,
  };
  if (fields.postData === undefined || fields.postData === null) {
    if (declaresBody(request.headers, fields.bodySize) || fields._bodyNotRecorded === true) request.bodyCapture = 'missing';
    return request;
  }
  try {
    readPostData(request, record(fields.postData, 'request.postData'), lifted, fields.bodySize);
    // Signet's own sanitized export says so of a body it had rebuilt from form fields (capture-export.ts).
    if (fields._bodyRebuilt === true && request.body !== null) request.bodyCapture = 'rebuilt';
  } catch (error) {
    if (!(error instanceof EntryProblem)) throw error;
    request.body = null;
    // No readable copy of the body: stored, shown and exported as one the capture did not record.
    request.bodyCapture = 'missing';
    unreadable.push({ direction: 'request', location: 'request.postData', reason: error.message });
  }
  return request;
}

function readPostData(request: HttpRequest, postData: Fields, lifted: LiftedTexts | null, bodySize: unknown): void {
  const mimeType = optionalString(postData.mimeType, 'request.postData.mimeType');
  if (mimeType) request.bodyMimeType = mimeType;
  const text = optionalString(postData.text, 'request.postData.text');
  if (text !== undefined) {
    request.body = bodyBytes(text, postData.encoding, 'request.postData', lifted);
  } else if (postData.params !== undefined) {
    request.body = formBody(postData.params, mimeType);
    if (request.body !== null) request.bodyCapture = 'rebuilt';
    else if (declaresBody(request.headers, bodySize) || (Array.isArray(postData.params) && postData.params.length > 0)) request.bodyCapture = 'missing';
  } else if (declaresBody(request.headers, bodySize)) {
    request.bodyCapture = 'missing';
  }
}

/**
 * Whether the message had a body, by its own headers or the HAR's `bodySize` (-1 or 0 when there was
 * none or it is unknown): Chrome and Playwright leave out bodies they did not keep.
 */
function declaresBody(headers: Header[], bodySize: unknown): boolean {
  return (typeof bodySize === 'number' && bodySize > 0) || headersDeclareBody(headers);
}

function responseFrom(fields: Fields, lifted: LiftedTexts | null, unreadable: UnreadablePart[]): HttpResponse | null {
  const status = fields.status;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new EntryProblem('response.status is missing or not an integer');
  // Chrome writes 0 and Playwright -1 for a request that was blocked, failed or aborted: no response.
  if (status <= 0) return null;
  const response: HttpResponse = {
    status,
    statusText: optionalString(fields.statusText, 'response.statusText') ?? '',
    httpVersion: optionalString(fields.httpVersion, 'response.httpVersion') ?? '',
    headers: headers(fields.headers, 'response.headers'),
    body: null,
  };
  if (fields.content === undefined || fields.content === null) {
    if (fields._bodyNotRecorded === true) response.bodyCapture = 'missing';
    return response;
  }
  // A body that cannot be read leaves the status and headers (they are what the capture says happened).
  try {
    const content = record(fields.content, 'response.content');
    const mimeType = optionalString(content.mimeType, 'response.content.mimeType');
    if (mimeType) response.bodyMimeType = mimeType;
    const text = optionalString(content.text, 'response.content.text');
    if (text !== undefined) response.body = bodyBytes(text, content.encoding, 'response.content', lifted);
    else if ((typeof content.size === 'number' && content.size > 0) || fields._bodyNotRecorded === true) response.bodyCapture = 'missing';
  } catch (error) {
    if (!(error instanceof EntryProblem)) throw error;
    response.bodyCapture = 'missing';
    unreadable.push({ direction: 'response', location: 'response.content', reason: error.message });
  }
  return response;
}

function bodyBytes(text: string, encoding: unknown, where: string, lifted: LiftedTexts | null): Uint8Array | null {
  if (text === '') return null;
  if (encoding === undefined || encoding === null || encoding === '') return lifted?.utf8(text) ?? Buffer.from(text, 'utf8');
  if (typeof encoding !== 'string' || encoding.toLowerCase() !== 'base64') {
    throw new EntryProblem(`${where}.encoding ${JSON.stringify(encoding)} is not supported (only base64)`);
  }
  return lifted?.base64(text) ?? decodeBase64(lifted?.value(text) ?? text, where);
}

/**
 * Node's decoder silently skips characters outside the alphabet; a body altered that way would
 * later look like a bad signature, so it is refused here instead. Fast path (the regex costs
 * about 10% of the reader on base64-heavy captures): nothing was skipped. Otherwise (line breaks,
 * junk) the regex decides.
 */
function decodeBase64(text: string, where: string): Buffer {
  const decoded = Buffer.from(text, 'base64');
  if (decodedWhole(text, decoded.length)) return decoded;
  if (!BASE64.test(text)) throw new EntryProblem(`${where}.text is not valid base64`);
  return decoded;
}

const BASE64 = /^[A-Za-z0-9+/\-_\s]*={0,2}\s*$/;

/**
 * Some tools record a form post as `params` only. The bytes sent are gone; the
 * application/x-www-form-urlencoded serialisation of the params is the best reconstruction.
 * For other types (multipart) there is nothing faithful to rebuild, so the body stays unknown.
 */
function formBody(params: unknown, mimeType: string | undefined): Uint8Array | null {
  if (!Array.isArray(params)) throw new EntryProblem('request.postData.params is not an array');
  if (mimeType !== undefined && mimeType !== '' && !mimeType.toLowerCase().startsWith('application/x-www-form-urlencoded')) return null;
  const form = new URLSearchParams();
  params.forEach((param: unknown, position) => {
    const where = `request.postData.params[${position}]`;
    const fields = record(param, where);
    form.append(requiredString(fields.name, `${where}.name`), optionalString(fields.value, `${where}.value`) ?? '');
  });
  const text = form.toString();
  return text === '' ? null : Buffer.from(text, 'utf8');
}

function headers(value: unknown, where: string): Header[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new EntryProblem(`${where} is not an array`);
  const result: Header[] = new Array<Header>(value.length);
  for (let position = 0; position < value.length; position++) {
    const header: unknown = value[position];
    if (typeof header !== 'object' || header === null) throw new EntryProblem(`${where}[${position}] is not a {name, value} object`);
    const { name, value: headerText } = header as Fields;
    if (typeof name !== 'string' || typeof headerText !== 'string') throw new EntryProblem(`${where}[${position}] needs a string name and value`);
    result[position] = { name, value: headerText };
  }
  return result;
}

/** HAR `startedDateTime` is ISO 8601; anything else (or nothing) means the time is unknown. */
function instant(value: unknown): Date | null {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return null;
  // HAR asks for an offset; a time written without one is taken as UTC, not as this machine's local
  // time: the same capture must give the same verdicts wherever it is checked.
  const date = new Date(HAS_ZONE.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

function record(value: unknown, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryProblem(`${where} is missing or not an object`);
  return value as Fields;
}

function requiredString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new EntryProblem(`${where} is missing or not a string`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EntryProblem(`${where} is not a string`);
  return value;
}
