import { SignetError } from '../errors.ts';

/** One `-----BEGIN X-----` … `-----END X-----` block (RFC 7468), decoded. */
export interface PemBlock {
  label: string;
  /** RFC 1421 headers, e.g. `Proc-Type: 4,ENCRYPTED` of a legacy encrypted key. */
  headers: Record<string, string>;
  der: Buffer;
  /** The block as written, for APIs that want PEM text (legacy encryption needs its headers). */
  text: string;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function containsPem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/**
 * Every PEM block of a text, in order. Text between blocks is ignored: openssl writes "Bag
 * Attributes" and `-text` dumps there. A block without its END line is reported as truncated.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BEGIN)) {
    const label = match[1] ?? '';
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${label}-----`;
    const endIndex = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (endIndex < 0 || (nextBegin >= 0 && nextBegin < endIndex)) {
      throw new SignetError('ERR_KEY_FORMAT', `truncated PEM block '${label}' (no END line)`);
    }
    const { headers, base64 } = splitBody(text.slice(bodyStart, endIndex), label);
    const der = Buffer.from(base64, 'base64');
    if (der.length === 0) throw new SignetError('ERR_KEY_FORMAT', `PEM block '${label}' is empty`);
    blocks.push({ label, headers, der, text: text.slice(match.index, endIndex + endMarker.length) });
  }
  return blocks;
}

function splitBody(body: string, label: string): { headers: Record<string, string>; base64: string } {
  const headers: Record<string, string> = {};
  let base64 = '';
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon > 0 && base64 === '') {
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      continue;
    }
    if (!BASE64_LINE.test(line)) throw new SignetError('ERR_KEY_FORMAT', `PEM block '${label}' holds characters that are not Base64`);
    base64 += line;
  }
  if (base64.length % 4 !== 0) throw new SignetError('ERR_KEY_FORMAT', `truncated PEM block '${label}' (Base64 length is not a multiple of 4)`);
  return { headers, base64 };
}
