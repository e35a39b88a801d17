import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFor } from '../../../main/core/jose/encrypt.ts';
import { initKeystore, unlockKeystore } from '../../../main/services/keystore.ts';
import { Session } from '../../../main/services/session.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import { createEphemeral } from '../../../main/services/workbench/ephemeral.ts';
import { signet } from '../../support/cli.ts';
import { TEST_KDF, TEST_PASSPHRASE } from '../../support/store.ts';

// The workbench through the real CLI: each partner scheme reproduced from either side.
let dir: string;
let store: string;
const run = (args: string[], input?: string) => signet(args, { store, ...(input !== undefined && { input }) });

interface KeyJson {
  id: string;
  kid: string;
}

let rsa: KeyJson;
let enc: KeyJson;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-workbench-'));
  store = join(dir, 'keystore.db');
  const session = Session.open(store, { create: true });
  await initKeystore(session, TEST_PASSPHRASE, TEST_KDF);
  session.close();
  rsa = (await run(['keys', 'generate', '--type', 'rsa', '--json'])).json<KeyJson>();
  enc = (await run(['keys', 'generate', '--type', 'ec', '--use', 'enc', '--json'])).json<KeyJson>();
  expect((await run(['keys', 'generate', '--type', 'hmac', '--app-id', 'OPG-APP', '--json'])).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JOSE by hand', () => {
  it('signs a payload and verifies it, then catches a changed byte', async () => {
    const payload = join(dir, 'order.json');
    writeFileSync(payload, '{"order":42}');
    const signed = await run(['sign', '--key', rsa.kid, '--alg', 'PS256', '--payload', payload]);
    expect(signed.code).toBe(0);
    const token = signed.stdout.trim();
    const verified = await run(['verify', token, '--json']);
    expect(verified.code).toBe(0);
    expect(verified.json()).toMatchObject({ verdict: 'valid', kid: rsa.kid, alg: 'PS256', payload: { form: 'json', value: { order: 42 } } });
    const [header, body, signature = ''] = token.split('.');
    const flipped = `${header}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await run(['verify', flipped])).code).toBe(1);
  }, 60_000);

  it("verifies with a partner's public key given as a file, not kept in the keystore", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await new CompactSign(new TextEncoder().encode('{"order":7}')).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    const keyFile = join(dir, 'partner-public.pem');
    writeFileSync(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    expect((await run(['verify', token, '--key', keyFile, '--json'])).json()).toMatchObject({ verdict: 'valid', alg: 'ES256' });
    const otherFile = join(dir, 'other-public.pem');
    writeFileSync(otherFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
    expect((await run(['verify', token, '--key', otherFile, '--json'])).json()).toMatchObject({ verdict: 'invalid' });
  }, 60_000);

  it('signs a detached RFC 7797 signature for a Signature header and verifies it with the payload', async () => {
    const payload = join(dir, 'loan.json');
    writeFileSync(payload, '{"loan":"LA-1"}');
    const token = (await run(['sign', '--key', rsa.id, '--payload', payload, '--detached', '--b64false'])).stdout.trim();
    expect(token).toMatch(/^eyJ[^.]*\.\.[A-Za-z0-9_-]+$/);
    expect((await run(['verify', token, '--payload', payload, '--json'])).json()).toMatchObject({ verdict: 'valid' });
    expect((await run(['verify', token])).code).toBe(2);
  }, 60_000);

  it('signs a JWT with exp and reports it expired at a later --at', async () => {
    const token = (await run(['sign', '--key', rsa.kid, '--jwt', '--claims', '{"sub":"merchant-1"}', '--exp', '1h', '--aud', 'lender'])).stdout.trim();
    expect((await run(['verify', token, '--json'])).json()).toMatchObject({ verdict: 'valid' });
    const later = new Date(Date.now() + 3 * 3600_000).toISOString();
    const expired = await run(['verify', token, '--at', later, '--json']);
    expect(expired.code).toBe(1);
    expect(expired.json()).toMatchObject({ verdict: 'expired' });
  }, 60_000);

  it('judges claims only for a JWT: a signed order body verifies as a JWS, as in a capture, whatever the JWT settings', async () => {
    const session = Session.open(store);
    updateSettings(session, { inspection: { jwtIssuers: ['https://issuer.test'], jwtAudiences: ['lender'] } });
    session.close();
    try {
      const order = (await run(['sign', '--key', rsa.kid, '--payload', '-'], '{"orderId":"o-1","amount":100}')).stdout.trim();
      expect((await run(['verify', order, '--json'])).json()).toMatchObject({ verdict: 'valid' });
      const jwt = (await run(['sign', '--key', rsa.kid, '--jwt', '--claims', '{"sub":"merchant-1"}', '--iss', 'https://other.test', '--aud', 'lender'])).stdout.trim();
      const refused = await run(['verify', jwt, '--json']);
      expect({ code: refused.code, verdict: refused.json<{ verdict: string; detail: string }>().verdict }).toEqual({ code: 1, verdict: 'invalid' });
    } finally {
      const restore = Session.open(store);
      updateSettings(restore, { inspection: { jwtIssuers: [], jwtAudiences: [] } });
      restore.close();
    }
  }, 60_000);

  it('refuses an alg that does not fit the key, naming the right ones', async () => {
    const payload = join(dir, 'x.json');
    writeFileSync(payload, '{}');
    const result = await run(['sign', '--key', rsa.kid, '--alg', 'ES256', '--payload', payload]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RS256/);
  });

  it('encrypts to a held key and decrypts it; refuses RSA1_5 for new encryption', async () => {
    const token = (await run(['encrypt', '--to', enc.kid], 'the secret')).stdout.trim();
    expect(token.split('.')).toHaveLength(5);
    const decrypted = await run(['decrypt', token, '--json']);
    expect(decrypted.json()).toMatchObject({ verdict: 'decrypted', plaintext: { text: 'the secret' } });
    const rsa15 = await run(['encrypt', '--to', rsa.kid, '--alg', 'RSA1_5'], 'x');
    expect(rsa15.code).toBe(2);
    expect(rsa15.stderr).toMatch(/RSA1_5/);
  }, 60_000);

  it('refuses to sign with, or encrypt to, a revoked key; what it signed before still verifies as of then', async () => {
    const key = (await run(['keys', 'generate', '--type', 'ec', '--json'])).json<KeyJson>();
    const before = (await run(['sign', '--key', key.kid, '--payload', '-'], '{"order":1}')).stdout.trim();
    const signedAt = new Date().toISOString();
    expect((await run(['keys', 'revoke', key.kid, '--reason', 'key compromise'])).code).toBe(0);
    const signing = await run(['sign', '--key', key.kid, '--payload', '-'], '{"order":2}');
    expect({ code: signing.code, stdout: signing.stdout, stderr: signing.stderr.trim() }).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/is revoked: it must not sign new messages$/) });
    const encrypting = await run(['encrypt', '--to', key.kid], 'x');
    expect({ code: encrypting.code, stderr: encrypting.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(/is revoked: it must not be encrypted to$/) });
    expect((await run(['verify', before, '--at', signedAt, '--json'])).json()).toMatchObject({ verdict: 'valid' });
  }, 60_000);

  it('decodes any token without a key', async () => {
    const token = (await run(['encrypt', '--to', enc.kid], 'x')).stdout.trim();
    const decoded = await run(['decode', token, '--json']);
    expect(decoded.json()).toMatchObject({ kind: 'jwe', header: { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: enc.kid } });
    const garbage = await run(['decode', 'not.a.token']);
    expect(garbage.code).toBe(2);
  });

  it('says clearly when a JWE is truncated', async () => {
    const token = (await run(['encrypt', '--to', enc.kid], 'x')).stdout.trim();
    const result = await run(['decrypt', token.slice(0, token.lastIndexOf('.'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has 4/);
  });
});

describe('ephemeral-key sessions', () => {
  it('creates a session, the third party encrypts to its JWK, it decrypts once and is destroyed', async () => {
    const created = (await run(['ephemeral', 'create', '--type', 'ec', '--ttl', '15m', '--json'])).json<{ id: string; publicJwk: JsonWebKey; publicPem: string; expiresAt: string }>();
    expect(Object.keys(created).sort()).toEqual(['expiresAt', 'id', 'publicJwk', 'publicPem']);
    expect(created.publicJwk).not.toHaveProperty('d');
    const jwe = await encryptFor(created.publicJwk, '{"cardNumber":"4111 1111 1111 1111"}');
    const first = await run(['ephemeral', 'decrypt', created.id, jwe]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('4111 1111 1111 1111');
    const again = await run(['ephemeral', 'decrypt', created.id, jwe]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/destroyed/);
    const audit = (await run(['audit', 'list', '--json'])).json<{ action: string; detail: Record<string, unknown> }[]>();
    expect(audit.find((entry) => entry.action === 'ephemeral.destroyed')?.detail).toMatchObject({ sessionId: created.id, why: 'used' });
  }, 60_000);

  it('destroys a session whose TTL has passed', async () => {
    // Made ten minutes ago in-process: the CLI's --now only evaluates, it cannot move a destruction in time.
    const earlier = Session.open(store, { clock: () => new Date(Date.now() - 10 * 60_000) });
    await unlockKeystore(earlier, TEST_PASSPHRASE);
    const created = await createEphemeral(earlier, { ttl: '1m' });
    earlier.close();
    const jwe = await encryptFor(created.publicJwk, 'late');
    const result = await run(['ephemeral', 'decrypt', created.id, jwe]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TTL passed/);
  }, 60_000);
});

describe('X-OPG-Signature by hand', () => {
  it('signs a request and verifies it, with clock-skew outside the window', async () => {
    const body = join(dir, 'survey.json');
    writeFileSync(body, '{"survey":1}');
    // From the real time on, when the secret was made: --now before it would find the secret not yet active.
    const signedAt = Math.floor(Date.now() / 1000);
    const after = (seconds: number) => new Date((signedAt + seconds) * 1000).toISOString();
    const signed = await run(['hmac', 'sign', '--app', 'OPG-APP', '--method', 'POST', '--uri', '/opg/surveys?x=1', '--body', body, '--timestamp', after(0), '--nonce', 'n1', '--json']);
    const { value, canonical } = signed.json<{ value: string; canonical: string }>();
    expect(canonical).toBe(`OPG-APPPOST/opg/surveys?x=1${signedAt}n1${Buffer.from('{"survey":1}').toString('base64')}`);
    const ok = await run(['hmac', 'verify', '--header', value, '--method', 'POST', '--uri', '/opg/surveys?x=1', '--body', body, '--now', after(120)]);
    expect(ok.code).toBe(0);
    const skewed = await run(['hmac', 'verify', '--header', value, '--method', 'POST', '--uri', '/opg/surveys?x=1', '--body', body, '--now', after(1200), '--json']);
    expect(skewed.code).toBe(1);
    expect(skewed.json()).toMatchObject({ verdict: 'clock-skew' });
    const tampered = await run(['hmac', 'verify', '--header', value, '--method', 'PUT', '--uri', '/opg/surveys?x=1', '--body', body, '--now', after(120), '--json']);
    expect(tampered.json()).toMatchObject({ verdict: 'invalid' });
  }, 60_000);

  it('prints a ready curl command', async () => {
    const result = await run(['hmac', 'sign', '--app', 'OPG-APP', '--method', 'GET', '--uri', '/opg/a', '--curl', 'https://api.onepoint.test/opg/a']);
    expect(result.stdout).toMatch(/^curl -X GET 'https:\/\/api\.onepoint\.test\/opg\/a' -H 'Authorization: X-OPG-Signature OPG-APP:/);
  });

  it('refuses a --curl URL whose path and query are not the signed --uri', async () => {
    const result = await run(['hmac', 'sign', '--app', 'OPG-APP', '--method', 'GET', '--uri', '/opg/a?x=1', '--curl', 'https://api.onepoint.test/opg/a?x=2']);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr.trim() }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'signet hmac sign: --curl requests /opg/a?x=2, but the signature covers --uri /opg/a?x=1: give both the same path and query',
    });
  });
});

describe('key agreement, client against server', () => {
  it.each(['SCHEME-AES1', 'SCHEME-AES2', 'SCHEME-EC-AES1', 'SCHEME-EC-AES2'])('agrees on %s and seals a field both ways', async (scheme) => {
    const client = (await run(['agree', 'client', '--scheme', scheme, '--identifier', 'merchant-1', '--json'])).json<{ ref: string; spec: object }>();
    const server = (await run(['agree', 'server', '--identifier', 'bank', '--json'], JSON.stringify(client.spec))).json<{ ref: string; info: { client_reference_id: string } }>();
    const finished = await run(['agree', 'finish', client.ref, '--json'], JSON.stringify(server.info));
    expect(finished.code).toBe(0);
    expect(finished.json()).toMatchObject({ ref: server.info.client_reference_id, scheme, agreed: true });
    const sealed = (await run(['agree', 'encrypt', server.ref], 'PAN 4111')).stdout.trim();
    expect((await run(['agree', 'decrypt', server.info.client_reference_id, sealed])).stdout.trim()).toBe('PAN 4111');
  }, 90_000);

  it('treats a wrong proof as an error (exit 1), not a warning', async () => {
    const client = (await run(['agree', 'client', '--scheme', 'SCHEME-EC-AES2', '--json'])).json<{ ref: string; spec: object }>();
    const server = (await run(['agree', 'server', '--json'], JSON.stringify(client.spec))).json<{ info: { proof: string } }>();
    const proof = Buffer.from(server.info.proof, 'base64');
    proof[0] = (proof[0] ?? 0) ^ 1;
    const result = await run(['agree', 'finish', client.ref], JSON.stringify({ ...server.info, proof: proof.toString('base64') }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/proof does not match/);
  }, 60_000);

  it('agrees under --profile signet-v1-x25519; finish reads the profile from the client state', async () => {
    const client = (await run(['agree', 'client', '--scheme', 'SCHEME-EC-AES2', '--profile', 'signet-v1-x25519', '--json'])).json<{ ref: string; spec: { public_key: string } }>();
    expect(Buffer.from(client.spec.public_key, 'base64')).toHaveLength(32);
    const server = await run(['agree', 'server', '--profile', 'signet-v1-x25519', '--json'], JSON.stringify(client.spec));
    expect(server.code).toBe(0);
    const finished = await run(['agree', 'finish', client.ref, '--json'], JSON.stringify(server.json<{ info: object }>().info));
    expect({ code: finished.code, scheme: finished.json<{ scheme: string }>().scheme }).toEqual({ code: 0, scheme: 'SCHEME-EC-AES2' });
  }, 60_000);

  it('suggests the wire spelling of a scheme written with underscores, and refuses an unknown profile', async () => {
    const scheme = await run(['agree', 'client', '--scheme', 'SCHEME_AES1']);
    expect({ code: scheme.code, stderr: scheme.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('unknown scheme "SCHEME_AES1" (did you mean SCHEME-AES1?)') });
    const profile = await run(['agree', 'client', '--scheme', 'SCHEME-AES1', '--profile', 'signet-v2']);
    expect({ code: profile.code, stderr: profile.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('unknown key-agreement profile "signet-v2"; use signet-v1, signet-v1-x25519') });
  });

  it('refuses a malformed spec with exit 2', async () => {
    const result = await run(['agree', 'server'], '{"identifier":"x"}');
    expect(result.code).toBe(2);
  });
});

describe('the third party library call', () => {
  it('encryptFor produces a JWE that openssl-independent jose decrypts with the session key', async () => {
    const created = (await run(['ephemeral', 'create', '--type', 'rsa', '--json'])).json<{ id: string; publicJwk: JsonWebKey }>();
    const jwe = await encryptFor(created.publicJwk, 'hello');
    expect(execFileSync(process.execPath, ['-e', `console.log(${JSON.stringify(jwe)}.split('.').length)`], { encoding: 'utf8' }).trim()).toBe('5');
    expect((await run(['ephemeral', 'decrypt', created.id, jwe])).stdout).toContain('hello');
  }, 60_000);
});
