import { createHmac, sign as signBytes, type KeyObject } from 'node:crypto';

// Pure helpers shared by the input generator and its signing workers.

/** mulberry32: a small seeded PRNG, enough for shapes and sizes. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');

export function compactJws(alg: 'RS256' | 'ES256' | 'EdDSA' | 'HS256', kid: string, payload: string, key: KeyObject | Buffer): string {
  const input = `${b64url(JSON.stringify({ alg, kid }))}.${b64url(payload)}`;
  let signature: Buffer;
  if (alg === 'HS256') signature = createHmac('sha256', key).update(input).digest();
  else if (alg === 'EdDSA') signature = signBytes(null, Buffer.from(input), key as KeyObject);
  else if (alg === 'ES256') signature = signBytes('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else signature = signBytes('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

/** An `X-OPG-Signature` header (partner 004, profile opg-sha256), with the canonical string and signature it carries. */
export function opgSigned(appId: string, secret: Buffer, method: string, uri: string, body: string, timestamp: number, nonce: string): { header: string; canonical: string; signature: string } {
  const canonical = `${appId}${method}${uri}${timestamp}${nonce}${body ? Buffer.from(body).toString('base64') : ''}`;
  const signature = createHmac('sha256', secret).update(canonical).digest('base64');
  return { header: `X-OPG-Signature ${appId}:${signature}:${nonce}:${timestamp}`, canonical, signature };
}

export const ORDER = (random: () => number, index: number, padding: number): string =>
  JSON.stringify({ order: `ORD-${index}`, amount: Math.floor(random() * 100000) / 100, currency: 'EUR', merchant: 'acme', note: 'x'.repeat(padding) });

/** The payload of the i-th RS256 token; the same for every run. */
export function rs256Payload(index: number): string {
  const random = prng(index + 1);
  return ORDER(random, index, 40 + Math.floor(random() * 120));
}
