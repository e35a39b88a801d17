/** Capture readers: HAR 1.2 and raw HTTP/1.1, streamed into `Exchange` records. */
export type { CaptureItem, Exchange, Header, HttpRequest, HttpResponse, MalformedEntry, ReaderOptions } from './exchange.ts';
export { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_HEADER_BYTES, headerValue } from './exchange.ts';
export { readHar } from './har.ts';
export { readRawHttp } from './raw-http.ts';
export { readCapture } from './detect.ts';
export type { CaptureFormat } from './detect.ts';
