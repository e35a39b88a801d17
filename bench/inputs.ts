import { createCipheriv, createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initKeystore } from '../main/services/keystore.ts';
import { generateKey, importKeys } from '../main/services/keys.ts';
import { privateKeyOf, resolveKey, secretOf } from '../main/services/key-records.ts';
import { Session } from '../main/services/session.ts';
import { compactJws, opgSigned, ORDER, prng } from './tokens.ts';

/**
 * The benchmark's inputs, generated into a temp folder. Layout, sizes, bodies, nonces and times come
 * from fixed seeds, so two runs read the same shapes of data; only key material (and so the signature
 * bytes) is fresh each run, because secrets are never committed.
 */

export const PASSPHRASE = 'signet benchmark passphrase';
export const BASE_TIME = Date.parse('2026-06-01T12:00:00.000Z');

export interface BenchKeys {
  rsa: { kid: string; privateKey: KeyObject };
  ec: { kid: string; privateKey: KeyObject };
  ed: { kid: string; privateKey: KeyObject };
  hs: { kid: string; secret: Buffer };
  opg: { appId: string; secret: Buffer };
}

/** A keystore holding one key of every kind the captures use. */
export async function benchKeystore(dir: string): Promise<{ storePath: string; keys: BenchKeys }> {
  const storePath = join(dir, 'keystore.db');
  const session = Session.open(storePath, { create: true, clock: () => new Date('2026-01-01T00:00:00Z') });
  try {
    await initKeystore(session, PASSPHRASE);
    const rsa = await generateKey(session, { type: 'rsa', name: 'merchant signing', owner: 'acme' });
    const ec = await generateKey(session, { type: 'ec', curve: 'P-256', name: 'callback signer', owner: 'klix' });
    const ed = await generateKey(session, { type: 'ed25519', name: 'participant signer', owner: 'ocen' });
    const hs = await generateKey(session, { type: 'hmac', appId: 'HS-APP', name: 'token secret' });
    const opg = await generateKey(session, { type: 'hmac', appId: 'OPG-APP-1', name: 'OnePoint app' });
    const privateOf = (id: string) => privateKeyOf(session, resolveKey(session, id));
    const secret = (id: string) => secretOf(session, resolveKey(session, id));
    return {
      storePath,
      keys: {
        rsa: { kid: rsa.kid, privateKey: privateOf(rsa.id) },
        ec: { kid: ec.kid, privateKey: privateOf(ec.id) },
        ed: { kid: ed.kid, privateKey: privateOf(ed.id) },
        hs: { kid: hs.kid, secret: secret(hs.id) },
        opg: { appId: 'OPG-APP-1', secret: secret(opg.id) },
      },
    };
  } finally {
    session.close();
  }
}


/** Deterministic filler bytes (AES-CTR keystream under a fixed key): fast, and incompressible like real bodies. */
export function fillerBytes(seed: string): (length: number) => Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}



interface Message {
  headers: [string, string][];
  body?: string;
  mimeType?: string;
  base64?: boolean;
}

interface EntryShape {
  startedAt: number;
  method: string;
  url: string;
  request: Message;
  status: number;
  response: Message;
}

/** One HAR entry, pretty-printed (two spaces), as Chrome and Firefox write them. */
function entryText(entry: EntryShape): string {
  const headers = (list: [string, string][]) => list.map(([name, value]) => ({ name, value }));
  return JSON.stringify(
    {
      startedDateTime: new Date(entry.startedAt).toISOString(),
      time: 12,
      request: {
        method: entry.method,
        url: entry.url,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: headers(entry.request.headers),
        queryString: [],
        headersSize: -1,
        bodySize: entry.request.body?.length ?? 0,
        ...(entry.request.body !== undefined && { postData: { mimeType: entry.request.mimeType ?? 'application/json', text: entry.request.body } }),
      },
      response: {
        status: entry.status,
        statusText: 'OK',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: headers(entry.response.headers),
        content: {
          size: entry.response.body?.length ?? 0,
          mimeType: entry.response.mimeType ?? 'application/json',
          ...(entry.response.body !== undefined && { text: entry.response.body }),
          ...(entry.response.base64 && { encoding: 'base64' }),
        },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { send: 0, wait: 10, receive: 2 },
    },
    null,
    2,
  );
}

/** Writes a HAR whose entries come from `next` (null ends it); resolves with the entry count and bytes. */
export async function writeHar(path: string, next: (index: number, bytesSoFar: number) => EntryShape | null): Promise<{ entries: number; bytes: number }> {
  const out = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  await write('{\n  "log": {\n    "version": "1.2",\n    "creator": { "name": "signet-bench", "version": "1" },\n    "entries": [\n');
  let index = 0;
  for (let entry = next(0, bytes); entry !== null; entry = next(++index, bytes)) await write(`${index ? ',\n' : ''}${entryText(entry)}`);
  await write('\n    ]\n  }\n}\n');
  await close(out);
  return { entries: index, bytes };
}

function close(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}


/**
 * RS256 tokens for the bulk-verification file, signed on all cores (one RSA signature takes a few
 * hundred microseconds; 100 000 of them would take half a minute on one).
 */
export async function rs256Tokens(keys: BenchKeys, count: number, threads: number): Promise<string[]> {
  const per = Math.ceil(count / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, part) => {
      const from = part * per;
      const to = Math.min(count, from + per);
      return new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(new URL('../main/services/worker.dev.mjs', import.meta.url), {
          workerData: { entry: new URL('./sign-worker.ts', import.meta.url).href, kid: keys.rsa.kid, privateKey: keys.rsa.privateKey, from, to },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return parts.flat();
}


/** 100 000 merchant orders, each body a JWS compact RS256 under the merchant key (issue 7, target 1). */
export async function writeRs256Har(path: string, tokens: string[]): Promise<{ entries: number; bytes: number }> {
  return writeHar(path, (index) => {
    const token = tokens[index];
    if (token === undefined) return null;
    return {
      startedAt: BASE_TIME + index * 50,
      method: 'POST',
      url: `https://api.klix.test/v1/orders/${index}`,
      request: { headers: [['Content-Type', 'application/jose'], ['Host', 'api.klix.test']], body: token, mimeType: 'application/jose' },
      status: 201,
      response: { headers: [['Content-Type', 'application/json']], body: `{"id":"ORD-${index}","state":"accepted"}` },
    };
  });
}

export type MixKind = 'ES256' | 'EdDSA' | 'HS256' | 'HMAC-OPG';
export const MIX_KINDS: readonly MixKind[] = ['ES256', 'EdDSA', 'HS256', 'HMAC-OPG'];

/** The second bulk file: a quarter each of ES256 and EdDSA bodies, HS256 bearer tokens and X-OPG-Signature requests. */
export async function writeMixHar(
  path: string,
  keys: BenchKeys,
  count: number,
): Promise<{ entries: number; bytes: number; tokens: { alg: MixKind; token: string }[]; opg: { canonical: string; signature: string }[] }> {
  const tokens: { alg: MixKind; token: string }[] = [];
  const opg: { canonical: string; signature: string }[] = [];
  const written = await writeHar(path, (index) => {
    if (index >= count) return null;
    const random = prng(1_000_000 + index);
    const kind = MIX_KINDS[index % MIX_KINDS.length] ?? 'ES256';
    const startedAt = BASE_TIME + index * 50;
    const body = ORDER(random, index, 40 + Math.floor(random() * 120));
    const base = { startedAt, status: 200, response: { headers: [['Content-Type', 'application/json']] as [string, string][], body: '{"ok":true}' } };
    if (kind === 'HMAC-OPG') {
      const uri = `/opg/surveys/${index}`;
      const { header, canonical, signature } = opgSigned(keys.opg.appId, keys.opg.secret, 'POST', uri, body, Math.floor(startedAt / 1000), `n${index.toString(36)}`);
      tokens.push({ alg: kind, token: header });
      opg.push({ canonical, signature });
      return { ...base, method: 'POST', url: `https://api.onepoint.test${uri}`, request: { headers: [['Authorization', header], ['Content-Type', 'application/json']], body } };
    }
    if (kind === 'HS256') {
      const claims = JSON.stringify({ sub: `user-${index}`, iat: Math.floor(startedAt / 1000) - 60, exp: Math.floor(startedAt / 1000) + 3600 });
      const token = compactJws('HS256', keys.hs.kid, claims, keys.hs.secret);
      tokens.push({ alg: kind, token });
      return { ...base, method: 'GET', url: `https://api.ocen.test/loans/${index}`, request: { headers: [['Authorization', `Bearer ${token}`]] } };
    }
    const token = kind === 'ES256' ? compactJws('ES256', keys.ec.kid, body, keys.ec.privateKey) : compactJws('EdDSA', keys.ed.kid, body, keys.ed.privateKey);
    tokens.push({ alg: kind, token });
    return { ...base, method: 'POST', url: `https://api.klix.test/v1/callbacks/${index}`, request: { headers: [['Content-Type', 'application/jose']], body: token, mimeType: 'application/jose' } };
  });
  return { ...written, tokens, opg };
}

/**
 * A capture of about `targetBytes`: signed API calls among page loads, with bodies from a few hundred
 * bytes to a few MiB, binary ones in base64 (issue 7, target 2). Signatures use the fast keys (EC,
 * Ed25519, HMAC) plus one RS256 call in ten, so generating 1 GiB takes seconds, not minutes.
 */
export async function writeMixedSizeHar(path: string, keys: BenchKeys, targetBytes: number): Promise<{ entries: number; bytes: number }> {
  const filler = fillerBytes(`signet-bench-${targetBytes}`);
  const text = (length: number) => filler(Math.ceil((length * 3) / 4)).toString('base64').slice(0, length);
  return writeHar(path, (index, bytesSoFar) => {
    if (bytesSoFar >= targetBytes) return null;
    const random = prng(2_000_000 + index);
    const roll = random();
    const startedAt = BASE_TIME + index * 200;
    const small = 200 + Math.floor(random() * 1800);
    let entry: EntryShape;
    if (roll < 0.3) {
      const body = ORDER(random, index, small);
      const useRsa = index % 10 === 0;
      const token = useRsa ? compactJws('RS256', keys.rsa.kid, body, keys.rsa.privateKey) : compactJws('ES256', keys.ec.kid, body, keys.ec.privateKey);
      entry = { startedAt, method: 'POST', url: `https://api.klix.test/v1/orders/${index}`, request: { headers: [['Content-Type', 'application/jose']], body: token, mimeType: 'application/jose' }, status: 201, response: { headers: [], body: '{"state":"accepted"}' } };
    } else if (roll < 0.45) {
      const body = JSON.stringify({ loan: `LA-${index}`, documents: text(1024 + Math.floor(random() * 63 * 1024)) });
      const detached = compactJws('EdDSA', keys.ed.kid, body, keys.ed.privateKey).split('.');
      const signature = `${detached[0]}..${detached[2]}`;
      entry = { startedAt, method: 'POST', url: `https://lender.test/loans/${index}`, request: { headers: [['Signature', signature], ['Content-Type', 'application/json']], body }, status: 200, response: { headers: [], body: '{"accepted":true}' } };
    } else if (roll < 0.55) {
      const uri = `/opg/surveys/${index}`;
      const body = JSON.stringify({ answers: text(small * 2) });
      const { header } = opgSigned(keys.opg.appId, keys.opg.secret, 'POST', uri, body, Math.floor(startedAt / 1000), `m${index.toString(36)}`);
      entry = { startedAt, method: 'POST', url: `https://api.onepoint.test${uri}`, request: { headers: [['Authorization', header]], body }, status: 200, response: { headers: [], body: '{}' } };
    } else if (roll < 0.65) {
      const claims = JSON.stringify({ sub: `user-${index}`, exp: Math.floor(startedAt / 1000) + 3600 });
      const token = compactJws('HS256', keys.hs.kid, claims, keys.hs.secret);
      const body = JSON.stringify({ statement: text(1024 + Math.floor(random() * 31 * 1024)) });
      entry = { startedAt, method: 'GET', url: `https://api.ocen.test/statements/${index}`, request: { headers: [['Authorization', `Bearer ${token}`]] }, status: 200, response: { headers: [], body } };
    } else if (roll < 0.92) {
      const huge = random() < 0.03;
      const size = huge ? 1024 * 1024 + Math.floor(random() * 3 * 1024 * 1024) : 4096 + Math.floor(random() * 252 * 1024);
      entry = {
        startedAt,
        method: 'GET',
        url: `https://cdn.klix.test/assets/${index}.png`,
        request: { headers: [['Accept', 'image/*']] },
        status: 200,
        response: { headers: [['Content-Type', 'image/png']], body: filler(size).toString('base64'), mimeType: 'image/png', base64: true },
      };
    } else {
      entry = { startedAt, method: 'GET', url: `https://www.klix.test/page/${index}`, request: { headers: [['Accept', 'text/html']] }, status: 200, response: { headers: [], body: `<html><body>${text(10_000 + Math.floor(random() * 190_000))}</body></html>`, mimeType: 'text/html' } };
    }
    return entry;
  });
}

/** A keystore of `count` trust-store entries (partners' public keys, as a JWKS import), for start-up timing. */
export async function manyKeysKeystore(dir: string, count: number): Promise<string> {
  const storePath = join(dir, `keystore-${count}.db`);
  const session = Session.open(storePath, { create: true, clock: () => new Date('2026-01-01T00:00:00Z') });
  try {
    await initKeystore(session, PASSPHRASE);
    const keys = Array.from({ length: count }, (_, index) => {
      const { publicKey } = index % 2 ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { ...publicKey.export({ format: 'jwk' }), kid: `partner-${index}`, use: 'sig' };
    });
    // Key files are at most 1 MiB: import them a thousand at a time.
    for (let from = 0; from < keys.length; from += 1000) {
      await importKeys(session, { content: Buffer.from(JSON.stringify({ keys: keys.slice(from, from + 1000) })), name: 'partner', owner: 'partners' });
    }
  } finally {
    session.close();
  }
  return storePath;
}
