import { createHmac, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { compactVerify } from 'jose';
import { harEntrySlices, readHar } from '../main/core/traffic/har.ts';

/** Sequential `jose.compactVerify` over tokens, one at a time as a simple script would: tokens per second. */
export async function joseLoopRate(tokens: { token: string; key: KeyObject | Uint8Array }[]): Promise<number> {
  const started = performance.now();
  for (const { token, key } of tokens) await compactVerify(token, key);
  return tokens.length / ((performance.now() - started) / 1000);
}

/**
 * The floor of any verifier in Node: `crypto.verify` alone over the same tokens, sequentially on one
 * thread, with the signing input and signature already split out (nothing parsed, nothing looked up).
 */
export function cryptoVerifyRate(tokens: string[], key: KeyObject): number {
  const items = tokens.map((token) => {
    const cut = token.lastIndexOf('.');
    return { input: Buffer.from(token.slice(0, cut)), signature: Buffer.from(token.slice(cut + 1), 'base64url') };
  });
  const started = performance.now();
  for (const { input, signature } of items) if (!verify('sha256', input, key, signature)) throw new Error('baseline signature did not verify');
  return items.length / ((performance.now() - started) / 1000);
}

/** The X-OPG-Signature counterpart of the jose loop: recompute and compare each HMAC, sequentially. */
export function hmacLoopRate(items: { canonical: string; signature: string; secret: Buffer }[]): number {
  const started = performance.now();
  for (const { canonical, signature, secret } of items) {
    if (createHmac('sha256', secret).update(canonical).digest('base64') !== signature) throw new Error('baseline HMAC mismatch');
  }
  return items.length / ((performance.now() - started) / 1000);
}

export const publicOf = (privateKey: KeyObject): KeyObject => createPublicKey(privateKey);

/**
 * `JSON.parse` on the same bytes, split into entries: only the time of decoding each entry to a
 * string (JSON.parse takes strings) and parsing it is counted. Seconds for the whole file.
 */
export async function jsonParseSeconds(path: string): Promise<number> {
  let parseMs = 0;
  for await (const slice of harEntrySlices(createReadStream(path, { highWaterMark: 1024 * 1024 }))) {
    if (!slice.bytes) continue;
    const started = performance.now();
    JSON.parse(isAscii(slice.bytes) ? slice.bytes.toString('latin1') : slice.bytes.toString('utf8'));
    parseMs += performance.now() - started;
  }
  return parseMs / 1000;
}

/** The streaming HAR reader end to end (read, split, parse, exchanges with decoded bodies). Seconds for the whole file. */
export async function readerSeconds(path: string): Promise<number> {
  const started = performance.now();
  let items = 0;
  for await (const item of readHar(createReadStream(path, { highWaterMark: 1024 * 1024 }))) if (item.kind === 'exchange') items++;
  if (items === 0) throw new Error('the reader found no exchange');
  return (performance.now() - started) / 1000;
}
