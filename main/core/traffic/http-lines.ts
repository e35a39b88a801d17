import type { Buffer } from 'node:buffer';
import type { Header } from './exchange.ts';

/**
 * The line grammar of HTTP/1.1 messages (RFC 9112 §3, §4, §5), applied to pasted captures.
 * Lines are decoded as latin1 so every byte maps to one character and none is altered (the same
 * choice Node's own HTTP parser makes for header values).
 */

export interface RequestLine {
  method: string;
  target: string;
  httpVersion: string;
}

export interface StatusLine {
  httpVersion: string;
  status: number;
  statusText: string;
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const REQUEST_LINE = new RegExp(`^(${TOKEN}) ([^\\s]+) (HTTP/\\d(?:\\.\\d)?)$`);
const STATUS_LINE = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: ([^\r\n]*))?$/;
// HTTP/2 pseudo-headers (`:authority`), as browsers show them when copying raw headers, are kept.
const HEADER_NAME = new RegExp(`^:?${TOKEN}$`);
const CR = 0x0d;
const NUL = 0x00;

export function parseRequestLine(line: Buffer): RequestLine | null {
  const match = REQUEST_LINE.exec(line.toString('latin1'));
  if (!match || match[1] === undefined || match[2] === undefined || match[3] === undefined) return null;
  return { method: match[1], target: match[2], httpVersion: match[3] };
}

export function parseStatusLine(line: Buffer): StatusLine | null {
  const match = STATUS_LINE.exec(line.toString('latin1'));
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  return { httpVersion: match[1], status: Number(match[2]), statusText: match[3] ?? '' };
}

export function isStartLine(line: Buffer): boolean {
  return parseRequestLine(line) !== null || parseStatusLine(line) !== null;
}

/** Only spaces, tabs and line-break bytes: a separator between messages. */
export function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== CR && byte !== 0x0a) return false;
  return true;
}

/**
 * A header, or why the line is refused. Messages name a header only when its name is a clean
 * token, and never quote a value: the rest of a line may be a bearer token or an API key.
 */
/** A header name as messages show it: quoted, and cut short (a pasted line may hold anything before its colon). */
function shown(name: string): string {
  return `"${name.length > 40 ? `${name.slice(0, 40)}…` : name}"`;
}

export function parseHeaderLine(line: Buffer): Header | string {
  const first = line[0];
  if (first === 0x20 || first === 0x09) return 'obsolete line folding (a header line starting with whitespace, RFC 9112 §5.2)';
  const text = line.toString('latin1');
  const colon = text.indexOf(':', text.startsWith(':') ? 1 : 0);
  if (colon <= 0) return 'a header line has no colon';
  const name = text.slice(0, colon);
  if (!HEADER_NAME.test(name)) {
    const trimmed = name.replace(/[ \t]+$/, '');
    if (trimmed !== name && HEADER_NAME.test(trimmed)) {
      return `whitespace before the colon in header ${shown(trimmed)} (refused by RFC 9112 §5.1: request smuggling)`;
    }
    return 'a header line has an invalid name';
  }
  // A CR inside a value ends the header for some parsers and not for others: header injection.
  if (line.includes(CR, colon)) return `header ${shown(name)} contains a CR (header injection)`;
  if (line.includes(NUL, colon)) return `header ${shown(name)} contains a NUL byte`;
  return { name, value: text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '') };
}
