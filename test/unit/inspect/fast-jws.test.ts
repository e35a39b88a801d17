import { constants, createHmac, generateKeyPairSync, privateEncrypt, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { affirmJws, splitCompact, verifyJws } from '../../../main/core/inspect/fast-jws.ts';
import { decodeToken } from '../../../main/core/jose/decode.ts';
import { verifyCompact, type VerifyCompactOptions } from '../../../main/core/jose/verify.ts';

/**
 * Differential test of the fast verification path against jose (`verifyCompact`): on valid, tampered
 * and hostile tokens both must reach the same outcome — the same header, payload and alg when valid,
 * the same error code and message when not.
 */

const b64u = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

interface Keys {
  rsa: { publicKey: KeyObject; privateKey: KeyObject };
  rsa1024: { publicKey: KeyObject; privateKey: KeyObject };
  ec: { publicKey: KeyObject; privateKey: KeyObject };
  ec384: { publicKey: KeyObject; privateKey: KeyObject };
  ed: { publicKey: KeyObject; privateKey: KeyObject };
  x25519: { publicKey: KeyObject; privateKey: KeyObject };
  secret: Buffer;
}
let keys: Keys;

beforeAll(() => {
  keys = {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }),
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ec384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ed: generateKeyPairSync('ed25519'),
    x25519: generateKeyPairSync('x25519'),
    secret: Buffer.from('a test secret of thirty-two bytes!'),
  };
});

type Alg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA' | 'HS256';

function signWith(alg: Alg, input: string, saltLength = 32): Buffer {
  const data = Buffer.from(input);
  switch (alg) {
    case 'RS256':
      return sign('sha256', data, keys.rsa.privateKey);
    case 'PS256':
      return sign('sha256', data, { key: keys.rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    case 'ES256':
      return sign('sha256', data, { key: keys.ec.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, keys.ed.privateKey);
    case 'HS256':
      return createHmac('sha256', keys.secret).update(data).digest();
  }
}

function token(header: Record<string, unknown> | string, payload: string, alg: Alg, options: { detached?: boolean; saltLength?: number } = {}): string {
  const headerSegment = typeof header === 'string' ? header : b64u(JSON.stringify(header));
  const payloadSegment = b64u(payload);
  const signature = signWith(alg, `${headerSegment}.${payloadSegment}`, options.saltLength);
  return `${headerSegment}.${options.detached ? '' : payloadSegment}.${signature.toString('base64url')}`;
}

function optionsFor(alg: Alg): VerifyCompactOptions {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return { key: { type: 'rsa' }, publicKey: keys.rsa.publicKey };
    case 'ES256':
      return { key: { type: 'ec', curve: 'P-256' }, publicKey: keys.ec.publicKey };
    case 'EdDSA':
      return { key: { type: 'ed25519' }, publicKey: keys.ed.publicKey };
    case 'HS256':
      return { key: { type: 'hmac' }, secret: keys.secret };
  }
}

const ALGS: Alg[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'];

type Outcome = { ok: true; header: unknown; payload: string; alg: string; detached: boolean } | { ok: false; code: unknown; message: string };

async function outcome(run: () => Promise<{ header: unknown; payload: Uint8Array; alg: string; detached: boolean }>): Promise<Outcome> {
  try {
    const verified = await run();
    return { ok: true, header: verified.header, payload: Buffer.from(verified.payload).toString('base64'), alg: verified.alg, detached: verified.detached };
  } catch (error) {
    return { ok: false, code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
}

async function expectSameVerdict(text: string, options: VerifyCompactOptions): Promise<Outcome> {
  const viaJose = await outcome(() => verifyCompact(text, options));
  expect(await outcome(() => verifyJws(text, options))).toEqual(viaJose);
  return viaJose;
}

describe('the fast JWS path', () => {
  it.each(ALGS)('affirms a valid %s token itself, with the header, payload and alg jose gives', async (alg) => {
    const text = token({ alg, kid: 'k1' }, '{"order":42}', alg);
    const parts = splitCompact(text);
    expect(parts && affirmJws(parts, optionsFor(alg))).toBeDefined();
    expect(await expectSameVerdict(text, optionsFor(alg))).toMatchObject({ ok: true, alg });
  });

  it.each(ALGS)('affirms a valid detached %s signature (RFC 7515 Appendix F) as jose does', async (alg) => {
    const text = token({ alg }, '{"loan":"LA-1"}', alg, { detached: true });
    expect(await expectSameVerdict(text, { ...optionsFor(alg), payload: Buffer.from('{"loan":"LA-1"}') })).toMatchObject({ ok: true, detached: true });
    expect(await expectSameVerdict(text, { ...optionsFor(alg), payload: Buffer.from('{"loan":"LA-2"}') })).toMatchObject({ ok: false });
  });

  it('agrees with jose on every single-character change of valid tokens', async () => {
    const valid = ALGS.map((alg) => ({ alg, text: token({ alg, kid: 'k1' }, '{"amount":100}', alg) }));
    const characters = fc.constantFrom('A', 'B', 'Q', 'g', 'w', 'z', '0', '9', '-', '_', '.', '=', '+', '/', ' ', '\n', 'é', '\u0000');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...valid), fc.nat(), characters, fc.constantFrom('replace', 'insert', 'delete'), async ({ alg, text }, position, character, edit) => {
        const at = position % text.length;
        const changed = edit === 'replace' ? text.slice(0, at) + character + text.slice(at + 1) : edit === 'insert' ? text.slice(0, at) + character + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
        await expectSameVerdict(changed, optionsFor(alg));
        // checkJws reads kid and alg from splitCompact when it succeeds, from decodeToken otherwise: same header.
        const parts = splitCompact(changed);
        if (parts) expect(decodeToken(changed).header).toEqual(parts.header);
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees with jose on arbitrary headers, payloads and algorithms under every key', async () => {
    const headers = fc.oneof(
      fc.record({ alg: fc.constantFrom<unknown>('RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'none', 'NONE', 'RS512', 'ES384', '', 7, null), kid: fc.string() }, { requiredKeys: [] }),
      fc.record({ alg: fc.constantFrom('RS256', 'HS256'), crit: fc.constantFrom<unknown>(['b64'], ['exp'], [], 'b64', [7]), b64: fc.constantFrom<unknown>(true, false, 'false') }, { requiredKeys: ['alg'] }),
    );
    await fc.assert(
      fc.asyncProperty(headers, fc.string(), fc.constantFrom(...ALGS), fc.constantFrom(...ALGS), async (header, payload, signedWith, verifiedWith) => {
        await expectSameVerdict(token(header, payload, signedWith), optionsFor(verifiedWith));
      }),
      { numRuns: 500 },
    );
  });

  describe('hostile tokens', () => {
    const header = (fields: Record<string, unknown>) => b64u(JSON.stringify(fields));

    it('alg none, with and without a signature', async () => {
      for (const alg of ['none', 'None', 'nOnE']) {
        await expectSameVerdict(`${header({ alg })}.${b64u('{}')}.`, optionsFor('RS256'));
        await expectSameVerdict(`${header({ alg })}.${b64u('{}')}.AAAA`, optionsFor('HS256'));
      }
    });

    it('crit extensions and RFC 7797 b64:false', async () => {
      const input = `${header({ alg: 'HS256', b64: false, crit: ['b64'] })}.{"a":1}`;
      const unencoded = `${input}.${createHmac('sha256', keys.secret).update(input).digest('base64url')}`;
      expect(await expectSameVerdict(unencoded, optionsFor('HS256'))).toMatchObject({ ok: true });
      await expectSameVerdict(token({ alg: 'HS256', crit: ['exp'], exp: 1 }, '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token({ alg: 'HS256', crit: [] }, '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token({ alg: 'HS256', b64: true }, '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token({ alg: 'HS256', b64: true, crit: ['b64'] }, '{}', 'HS256'), optionsFor('HS256'));
    });

    it('the wrong key type, curve or size for the algorithm (key confusion)', async () => {
      const rsaPem = keys.rsa.publicKey.export({ type: 'spki', format: 'pem' });
      const confused = `${header({ alg: 'HS256' })}.${b64u('{}')}`;
      const withPem = `${confused}.${createHmac('sha256', rsaPem).update(confused).digest('base64url')}`;
      await expectSameVerdict(withPem, optionsFor('RS256'));
      await expectSameVerdict(withPem, { key: { type: 'hmac' }, secret: Buffer.from(rsaPem) });
      await expectSameVerdict(token({ alg: 'RS256' }, '{}', 'RS256'), { key: { type: 'ec', curve: 'P-256' }, publicKey: keys.ec.publicKey });
      await expectSameVerdict(token({ alg: 'RS256' }, '{}', 'RS256'), { key: { type: 'rsa' }, publicKey: keys.ec.publicKey });
      await expectSameVerdict(token({ alg: 'ES256' }, '{}', 'ES256'), { key: { type: 'ec', curve: 'P-384' }, publicKey: keys.ec384.publicKey });
      await expectSameVerdict(token({ alg: 'ES256' }, '{}', 'ES256'), { key: { type: 'ec', curve: 'P-256' }, publicKey: keys.ec384.publicKey });
      await expectSameVerdict(token({ alg: 'EdDSA' }, '{}', 'EdDSA'), { key: { type: 'x25519' }, publicKey: keys.x25519.publicKey });
      const small = `${header({ alg: 'RS256' })}.${b64u('{}')}`;
      const bySmallKey = `${small}.${sign('sha256', Buffer.from(small), keys.rsa1024.privateKey).toString('base64url')}`;
      await expectSameVerdict(bySmallKey, { key: { type: 'rsa' }, publicKey: keys.rsa1024.publicKey });
      // A private key where a public one is expected: jose derives the public half; the fast path steps aside.
      expect(await expectSameVerdict(token({ alg: 'ES256' }, '{}', 'ES256'), { key: { type: 'ec', curve: 'P-256' }, publicKey: keys.ec.privateKey })).toMatchObject({ ok: true });
      await expectSameVerdict(token({ alg: 'HS256' }, '{}', 'HS256'), { key: { type: 'hmac' }, secret: Buffer.alloc(0) });
    });

    it('non-canonical and malformed base64url in every segment', async () => {
      const valid = token({ alg: 'HS256' }, '{"a":1}', 'HS256');
      const [h = '', p = '', s = ''] = valid.split('.');
      const spareBits = (segment: string) => segment.slice(0, -1) + String.fromCharCode(segment.charCodeAt(segment.length - 1) + 1);
      for (const variant of [
        `${spareBits(h)}.${p}.${s}`,
        `${h}.${spareBits(p)}.${s}`,
        `${h}.${p}.${spareBits(s)}`,
        `${h}=.${p}.${s}`,
        `${h}.${p}=.${s}`,
        `${h}.${p}.${s}=`,
        `${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}.${s}`,
        `${h}.${p}.${s.replace(/_/g, '/').replace(/-/g, '+')}`,
        `${h}.${p.slice(0, 2)} ${p.slice(2)}.${s}`,
        `  ${valid}\n`,
        `${h}.${p}`,
        `${h}.${p}.${s}.${s}`,
        `${h}.${p}.${s}.${s}.${s}`,
        `.${p}.${s}`,
        `${h}..${s}`,
        `${h}.${p}.`,
        `${b64u('[1,2]')}.${p}.${s}`,
        `${b64u('"alg"')}.${p}.${s}`,
        `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${p}.${s}`,
      ]) {
        await expectSameVerdict(variant, optionsFor('HS256'));
      }
    });

    it('huge and deeply nested headers', async () => {
      await expectSameVerdict(token({ alg: 'HS256', padding: 'x'.repeat(1_000_000) }, '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token(`${b64u(`${'['.repeat(5000)}${']'.repeat(5000)}`)}`, '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token({ alg: 'HS256', alg2: { deep: [[[{}]]] }, __proto__: { crit: ['x'] } }, '{}', 'HS256'), optionsFor('HS256'));
      // A repeated member: a gateway keeping the first "alg" would verify another token than the one judged.
      await expectSameVerdict(token(b64u('{"alg":"none","alg":"HS256"}'), '{}', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token(b64u('{"alg":"HS256","kid":"a","kid":"b"}'), '{}', 'HS256'), optionsFor('HS256'));
    });

    it('RSA signatures of the wrong length, at or over the modulus, or with another encoding', async () => {
      const input = `${header({ alg: 'RS256' })}.${b64u('{}')}`;
      const good = sign('sha256', Buffer.from(input), keys.rsa.privateKey);
      const modulus = Buffer.from(String(keys.rsa.publicKey.export({ format: 'jwk' }).n), 'base64url');
      const digestWithoutNull = Buffer.concat([Buffer.from('302f300b0609608648016503040201', 'hex'), Buffer.from('0420', 'hex'), Buffer.alloc(32)]);
      const raw = (block: Buffer) => privateEncrypt({ key: keys.rsa.privateKey, padding: constants.RSA_NO_PADDING }, block);
      const padded = (tail: Buffer) => Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - 3 - tail.length, 0xff), Buffer.from([0]), tail]);
      for (const signature of [good.subarray(1), Buffer.concat([Buffer.alloc(1), good]), modulus, Buffer.alloc(256, 0xff), Buffer.alloc(256), raw(padded(digestWithoutNull))]) {
        await expectSameVerdict(`${input}.${signature.toString('base64url')}`, optionsFor('RS256'));
      }
    });

    it('PS256 signatures made with another salt length (Node would accept any, RFC 7518 does not)', async () => {
      for (const saltLength of [0, 20, 64, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
        await expectSameVerdict(token({ alg: 'PS256' }, '{}', 'PS256', { saltLength }), optionsFor('PS256'));
      }
    });

    it('ECDSA and Ed25519 signatures of the wrong length, malleated or non-canonical', async () => {
      const input = `${header({ alg: 'ES256' })}.${b64u('{}')}`;
      const good = sign('sha256', Buffer.from(input), { key: keys.ec.privateKey, dsaEncoding: 'ieee-p1363' });
      const order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
      const s = BigInt(`0x${good.subarray(32).toString('hex')}`);
      const highS = Buffer.concat([good.subarray(0, 32), Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex')]);
      const der = sign('sha256', Buffer.from(input), keys.ec.privateKey);
      for (const signature of [good.subarray(1), Buffer.concat([good, Buffer.alloc(1)]), highS, der, Buffer.alloc(64)]) {
        await expectSameVerdict(`${input}.${signature.toString('base64url')}`, optionsFor('ES256'));
      }
      const edInput = `${header({ alg: 'EdDSA' })}.${b64u('{}')}`;
      const edGood = sign(null, Buffer.from(edInput), keys.ed.privateKey);
      const ell = (1n << 252n) + 27742317777372353535851937790883648493n;
      const sPlusL = BigInt(`0x${Buffer.from(edGood.subarray(32)).reverse().toString('hex')}`) + ell;
      const nonCanonical = Buffer.concat([edGood.subarray(0, 32), Buffer.from(sPlusL.toString(16).padStart(64, '0'), 'hex').reverse()]);
      for (const signature of [edGood.subarray(1), nonCanonical, Buffer.alloc(64)]) {
        await expectSameVerdict(`${edInput}.${signature.toString('base64url')}`, optionsFor('EdDSA'));
      }
    });

    it('a detached payload given for a token that carries its own, and an attached empty payload', async () => {
      const attached = token({ alg: 'HS256' }, '{"a":1}', 'HS256');
      await expectSameVerdict(attached, { ...optionsFor('HS256'), payload: Buffer.from('{"a":1}') });
      await expectSameVerdict(token({ alg: 'HS256' }, '', 'HS256'), optionsFor('HS256'));
      await expectSameVerdict(token({ alg: 'HS256' }, '{}', 'HS256', { detached: true }), optionsFor('HS256'));
    });
  });
});
