import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptCompact } from '../../main/core/jose/encrypt.ts';
import { selfSignCertificate } from '../../main/core/keys/certificates.ts';
import { importKeys, importSecret } from '../../main/services/keys.ts';
import type { Session } from '../../main/services/session.ts';
import { afterAll, beforeAll } from 'vitest';
import { tempStore, type TempStore } from '../support/store.ts';
import type { CorpusContext } from './cases.ts';

/**
 * Keys made in the test (never committed) and the tools to forge hostile JOSE objects with them:
 * raw headers written as text (so duplicate members and odd escapes survive), signatures made by
 * hand, real JWEs with their header swapped for a hostile one.
 */

export const b64u = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');

export interface HeldKeys {
  /** The merchant's RSA signing key: held, with its private half. */
  rsa: { kid: string; privateKey: KeyObject; publicKey: KeyObject };
  /** A P-256 key for encrypted responses (use enc). */
  ecEnc: { kid: string; privateKey: KeyObject; publicKey: KeyObject };
  /** An OnePoint HMAC secret. */
  hmac: { kid: string; secret: Buffer };
  /** Keys the attacker holds: none of them is in the keystore. */
  attacker: { rsa: KeyObject; ec: KeyObject; ecPublic: KeyObject; certificate: Buffer };
  /** Every secret above, as text: none may appear in a message or an output. */
  secrets: string[];
}

export async function holdKeys(session: Session): Promise<HeldKeys> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = randomBytes(32);
  await importKeys(session, { content: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as Buffer, kid: 'merchant-rsa', name: 'merchant signing' });
  await importKeys(session, { content: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as Buffer, kid: 'merchant-enc', use: 'enc', name: 'response decryption' });
  importSecret(session, { appId: 'OPG-APP-1', secret });
  const certificate = await selfSignCertificate({
    key: { type: 'ec', curve: 'P-256', publicKey: attackerEc.publicKey, privateKey: attackerEc.privateKey },
    subject: 'CN=merchant-rsa',
    notBefore: new Date('2026-01-01'),
    notAfter: new Date('2030-01-01'),
  });
  const secrets = [
    secret.toString('base64'),
    secret.toString('base64url'),
    secret.toString('hex'),
    ...[rsa.privateKey, ec.privateKey].flatMap((key) => {
      const jwk = key.export({ format: 'jwk' });
      return [jwk.d, jwk.p, jwk.q].filter((value): value is string => typeof value === 'string');
    }),
  ];
  return {
    rsa: { kid: 'merchant-rsa', privateKey: rsa.privateKey, publicKey: rsa.publicKey },
    ecEnc: { kid: 'merchant-enc', privateKey: ec.privateKey, publicKey: ec.publicKey },
    hmac: { kid: 'OPG-APP-1', secret },
    attacker: { rsa: attackerRsa.privateKey, ec: attackerEc.privateKey, ecPublic: attackerEc.publicKey, certificate },
    secrets,
  };
}

export const CLAIMS = JSON.stringify({ sub: 'merchant-7', iss: 'https://auth.klix.test', exp: 4102444800 });

/** A compact JWS over `headerText` exactly as written, signed by hand. */
export function forgeJws(headerText: string, alg: 'RS256' | 'ES256' | 'HS256', key: KeyObject | Buffer, payload = CLAIMS): string {
  const input = `${b64u(headerText)}.${b64u(payload)}`;
  let signature: Buffer;
  if (alg === 'HS256') signature = createHmac('sha256', key as Buffer).update(input).digest();
  else if (alg === 'ES256') signature = sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else signature = sign('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${b64u(signature)}`;
}

/** A real JWE to the held EC key whose protected header is then replaced (the refusals come first). */
export async function jweWithHeader(keys: HeldKeys, change: (header: Record<string, unknown>) => Record<string, unknown> | string): Promise<string> {
  const token = await encryptCompact({ publicKey: keys.ecEnc.publicKey, keyType: 'ec', alg: 'ECDH-ES+A256KW', plaintext: Buffer.from('{"pin":"4321"}'), kid: keys.ecEnc.kid });
  const [header = '', ...rest] = token.split('.');
  const changed = change(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>);
  return [b64u(typeof changed === 'string' ? changed : JSON.stringify(changed)), ...rest].join('.');
}

/** The public point of the held EC key moved off the curve (y + 1): the invalid-curve attack's probe. */
export function offCurve(publicKey: KeyObject): Record<string, unknown> {
  const jwk = publicKey.export({ format: 'jwk' });
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const last = y.length - 1;
  y[last] = ((y[last] ?? 0) + 1) & 0xff;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: b64u(y) };
}

export function publicJwkOf(key: KeyObject): Record<string, unknown> {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as Record<string, unknown>;
}

/** A local server that counts requests: where jku/x5u point, to prove nothing is ever fetched. */
export async function countingServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((_request, response) => {
    count++;
    response.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** JSON nested `depth` levels deep, built as text (a recursive builder would itself overflow). */
export function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** A stream of `total` filler bytes in 1 MiB chunks: 100 MB inputs never sit in memory. */
export function* filler(total: number, byte = 'x'): Generator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024, byte);
  for (let left = total; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}

export interface CorpusFixture {
  store: TempStore;
  keys: HeldKeys;
  /** A loopback server that counts requests: nothing in the corpus may make Signet fetch anything. */
  trap: Awaited<ReturnType<typeof countingServer>>;
  ctx: CorpusContext;
}

/** A keystore holding the corpus's keys and the fetch trap, made before the file's tests and removed after. */
export function corpusFixture(): CorpusFixture {
  const fixture = {} as CorpusFixture;
  beforeAll(async () => {
    fixture.store = await tempStore();
    fixture.keys = await holdKeys(fixture.store.session);
    fixture.trap = await countingServer();
    fixture.ctx = { keys: fixture.keys, fetchTrap: fixture.trap.url };
  }, 60_000);
  afterAll(async () => {
    await fixture.trap?.close();
    fixture.store?.cleanup();
  });
  return fixture;
}
