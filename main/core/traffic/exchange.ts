/**
 * What the capture readers produce: one `Exchange` per request/response pair, in file order, or a
 * `malformed` item for an entry that could be delimited but not understood. Bodies are raw bytes
 * (HAR text as UTF-8, base64 decoded) because signatures and HMACs are computed over bytes.
 */

export interface Header {
  name: string;
  value: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  httpVersion: string;
  headers: Header[];
  body: Uint8Array | null;
  bodyMimeType?: string;
  bodyCapture?: BodyCapture;
}

/**
 * How far `body` is the bytes sent, when not plainly: `missing` when the message had a body the capture
 * did not record (`body` is then null, not empty), `rebuilt` when it was reconstructed (a HAR form
 * post recorded as params only). Checks over the body say they cannot tell rather than "invalid".
 */
export type BodyCapture = 'missing' | 'rebuilt';

export interface HttpResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Header[];
  body: Uint8Array | null;
  bodyMimeType?: string;
  bodyCapture?: BodyCapture;
}

export interface Exchange {
  /** 0-based position of the entry in the file, counting malformed entries too. */
  index: number;
  /** When the exchange happened (HAR `startedDateTime`; raw HTTP: the `Date` header), if known. */
  startedAt: Date | null;
  request: HttpRequest;
  response: HttpResponse | null;
  /**
   * Parts that could not be read (a body that is not valid base64, a response without a status):
   * that side is reported malformed and not checked, the other side still is.
   */
  unreadable?: UnreadablePart[];
}

export interface UnreadablePart {
  direction: 'request' | 'response';
  /** Where in the entry, e.g. `response.content`. */
  location: string;
  reason: string;
}

export interface MalformedEntry {
  index: number;
  /** Byte offset of the entry in the file. */
  offset: number;
  reason: string;
}

export type CaptureItem =
  | { kind: 'exchange'; exchange: Exchange; offset: number; length: number }
  | { kind: 'malformed'; entry: MalformedEntry };

export interface ReaderOptions {
  /** An entry (or raw HTTP exchange) larger than this is reported malformed and skipped. Default 64 MiB. */
  maxEntryBytes?: number;
  /** Raw HTTP: longest start line plus header section. Default 64 KiB. */
  maxHeaderBytes?: number;
  signal?: AbortSignal;
  /** Called with the number of bytes consumed so far, at most about once per MiB, and once at the end. */
  onProgress?: (bytesRead: number) => void;
}

export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

/** Whether the headers announce a body: a Content-Length above zero, or any Transfer-Encoding (RFC 9112 §6). */
export function headersDeclareBody(headers: Header[]): boolean {
  if (headerValue(headers, 'transfer-encoding')?.trim()) return true;
  return Number(headerValue(headers, 'content-length')?.trim() ?? '0') > 0;
}

/** First header with that name, compared case-insensitively (RFC 9110 §5.1). */
export function headerValue(headers: Header[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const header of headers) {
    if (header.name.toLowerCase() === wanted) return header.value;
  }
  return undefined;
}
