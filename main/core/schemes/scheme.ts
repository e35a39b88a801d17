import type { InspectionContext, InspectionSettings } from '../inspect/context.ts';
import type { Finding, SchemeName } from '../inspect/findings.ts';
import type { Exchange, Header, HttpRequest, HttpResponse } from '../traffic/exchange.ts';

/** A finding before it is placed in its exchange. */
export type Result = Omit<Finding, 'exchange' | 'direction' | 'scheme' | 'location'>;

/** Something a detector found, with the check still to run (verification may be slow). */
export interface Detected {
  scheme: SchemeName;
  direction: 'request' | 'response';
  location: string;
  verify(ctx: InspectionContext): Promise<Result> | Result;
}

/**
 * Every security scheme is one module behind this interface: `detect` looks at an exchange (cheap,
 * no keys), each detection's `verify` checks it against the keystore. Detectors never log or print.
 */
export interface Scheme {
  name: SchemeName;
  detect(exchange: Exchange, settings: InspectionSettings): Detected[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Said of a check that fails over a body the capture rebuilt (see BodyCapture): it cannot tell. */
export const REBUILT = 'the bytes sent may have differed, so this cannot be told (a capture that records the body text can)';

export function bodyText(message: HttpRequest | HttpResponse, limit = 16 * 1024 * 1024): string | undefined {
  if (!message.body || message.body.length === 0 || message.body.length > limit) return undefined;
  return utf8.decode(message.body);
}

/**
 * The trimmed body text when it could be a compact JOSE object (the header of every JWS and JWE starts
 * `{"`, base64url `eyJ`), else undefined. Decides from the first bytes before decoding the rest:
 * measured on a 1 GiB capture, decoding every image and page body to a string (twice: JWS and JWE
 * detection) took half the time and most of the memory of verification.
 */
export function joseText(message: HttpRequest | HttpResponse): string | undefined {
  const { body } = message;
  if (!body || body.length === 0 || body.length > 16 * 1024 * 1024) return undefined;
  // With at least 4 characters after the leading whitespace, these are the text's first characters
  // exactly (only the last, cut at byte 256, may differ); fewer: the whitespace runs on, decode it all.
  const head = utf8.decode(body.subarray(0, 256)).trimStart();
  if (head.length >= 4 && !head.startsWith('eyJ')) return undefined;
  return utf8.decode(body).trim();
}

/** How many '.' the text holds, counting no further than `limit`: a compact JWE has 4, a JWS 2. */
export function dotCount(text: string, limit = 5): number {
  let count = 0;
  for (let at = text.indexOf('.'); at >= 0 && count < limit; at = text.indexOf('.', at + 1)) count++;
  return count;
}

export function headerValues(headers: Header[], name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter((header) => header.name.toLowerCase() === wanted).map((header) => header.value);
}

/** The moment an exchange is judged at: `--at`, else when it happened, else now. */
export function exchangeTime(exchange: Exchange, ctx: InspectionContext): Date {
  return ctx.at ?? exchange.startedAt ?? ctx.now;
}

export function hostOf(request: HttpRequest): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(request.url)?.[1] ?? headerValues(request.headers, 'host')[0] ?? headerValues(request.headers, ':authority')[0] ?? '';
  return authority.replace(/^[^@]*@/, '').toLowerCase();
}

export function hostMatches(host: string, patterns: string[]): boolean {
  const bare = host.replace(/:\d+$/, '');
  return patterns.some((pattern) => {
    const wanted = pattern.toLowerCase();
    return wanted.startsWith('*.') ? bare.endsWith(wanted.slice(1)) : bare === wanted || host === wanted;
  });
}

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function messagesOf(exchange: Exchange): { direction: 'request' | 'response'; message: HttpRequest | HttpResponse }[] {
  return exchange.response ? [{ direction: 'request', message: exchange.request }, { direction: 'response', message: exchange.response }] : [{ direction: 'request', message: exchange.request }];
}
