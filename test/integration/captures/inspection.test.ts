import { createHmac } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../main/core/inspect/findings.ts';
import { verifyCapture } from '../../../main/services/captures.ts';
import { importKeys } from '../../../main/services/keys.ts';
import { revokeKey } from '../../../main/services/key-status.ts';
import { Session } from '../../../main/services/session.ts';
import { publicKeyOf, resolveKey } from '../../../main/services/key-records.ts';
import { addApiKey } from '../../../main/services/api-keys.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import { createClientSpec, answerClientSpec } from '../../../main/core/agreement/derive.ts';
import { harEntry, harText, writeCapture, type EntrySpec } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { claims, encryptTo, merchantKeys, opgHeader, sign, unix } from './fixtures.ts';

let store: TempStore;
let keys: Awaited<ReturnType<typeof merchantKeys>>;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date('2026-01-01T00:00:00Z') });
  keys = await merchantKeys(store.session);
});
afterEach(() => store.cleanup());

const API = 'https://api.klix.test';
const AT = '2026-06-01T12:00:00.000Z';

async function inspect(entries: EntrySpec[], at?: string): Promise<Finding[]> {
  const path = writeCapture(store.dir, 'capture.har', harText(entries));
  const report = await verifyCapture(store.session, { path, ...(at && { at }) });
  return report.findings;
}

async function only(entries: EntrySpec[], scheme: Finding['scheme']): Promise<Finding> {
  const findings = (await inspect(entries)).filter((finding) => finding.scheme === scheme);
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

describe('jws bodies', () => {
  it('reports valid for a body signed with an active key, naming the key', async () => {
    const body = await sign(store.session, keys.rsa, '{"order":42}');
    const finding = await only([{ method: 'POST', url: `${API}/orders`, body }], 'jws');
    expect(finding).toMatchObject({ exchange: 0, direction: 'request', location: 'body', verdict: 'valid', kid: keys.rsa.kid, keyId: keys.rsa.id, alg: 'RS256' });
    expect(finding.trace?.map((step) => step.step)).toEqual(['kid', 'key', 'status', 'result']);
  });

  it('reports invalid when a byte of the payload was changed', async () => {
    const [header, payload, signature] = (await sign(store.session, keys.rsa, '{"amount":100}')).split('.');
    const tampered = `${header}.${Buffer.from('{"amount":900}').toString('base64url')}.${signature}`;
    expect(payload).not.toBe(tampered.split('.')[1]);
    expect(await only([{ method: 'POST', url: `${API}/orders`, body: tampered }], 'jws')).toMatchObject({ verdict: 'invalid', detail: expect.stringContaining('signature verification failed') });
  });

  it('reports unknown-key for a kid the keystore does not hold', async () => {
    const body = await sign(store.session, keys.rsa, '{}', { kid: 'no-such-kid' });
    expect(await only([{ method: 'POST', url: `${API}/orders`, body }], 'jws')).toMatchObject({ verdict: 'unknown-key', kid: 'no-such-kid' });
  });

  it('refuses alg none as invalid, naming the attack', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: keys.rsa.kid })).toString('base64url')}.${Buffer.from('{"a":1}').toString('base64url')}.`;
    const withSig = `${none}AAAA`;
    expect(await only([{ method: 'POST', url: `${API}/orders`, body: withSig }], 'jws')).toMatchObject({ verdict: 'invalid', detail: expect.stringContaining('alg none') });
  });

  it('refuses an unsigned alg none token (empty signature, as RFC 7515 A.5 writes it) wherever it is', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(claims({ sub: 'admin', exp: unix('2027-01-01T00:00:00Z') })).toString('base64url');
    const findings = await inspect([
      { method: 'POST', url: `${API}/orders`, body: `${header}.${payload}.` },
      { method: 'GET', url: `${API}/me`, headers: { Authorization: `Bearer ${header}.${payload}.` } },
      { method: 'POST', url: `${API}/orders`, headers: { 'x-jws-signature': `${header}..` }, body: '{"a":1}' },
    ]);
    expect(findings.map((finding) => [finding.exchange, finding.scheme, finding.verdict])).toEqual([
      [0, 'jws', 'invalid'],
      [1, 'jwt', 'invalid'],
      [2, 'jws-detached', 'invalid'],
    ]);
    for (const finding of findings) expect(finding.detail).toMatch(/alg none: unsigned token refused/);
  });

  it('reports an alg or kid that is not a string as malformed, not as alg none or a kid-less token', async () => {
    const token = (header: Record<string, unknown>) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AAAA`;
    const findings = await inspect([
      { method: 'POST', url: `${API}/orders`, body: token({ alg: ['RS256'] }) },
      { method: 'POST', url: `${API}/orders`, body: token({ alg: 'RS256', kid: 123 }) },
    ]);
    expect(findings.map((finding) => [finding.verdict, finding.detail])).toEqual([
      ['malformed', 'the JWS header\'s "alg" is not a string (RFC 7515 §4.1)'],
      ['malformed', 'the JWS header\'s "kid" is not a string (RFC 7515 §4.1)'],
    ]);
  });

  it('refuses RS/HS key confusion: HS256 keyed with the RSA public key', async () => {
    const pem = publicKeyOf(resolveKey(store.session, keys.rsa.id)).export({ type: 'spki', format: 'pem' });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: keys.rsa.kid })).toString('base64url');
    const payload = Buffer.from('{"order":1}').toString('base64url');
    const mac = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    const finding = await only([{ method: 'POST', url: `${API}/orders`, body: `${header}.${payload}.${mac}` }], 'jws');
    expect(finding).toMatchObject({ verdict: 'invalid', detail: expect.stringMatching(/confusion/i) });
  });

  it('reports revoked-key when the signature postdates the revocation, valid before it', async () => {
    const body = await sign(store.session, keys.rsa, '{"order":7}');
    // The compromise is recorded after the fact, as in life: by then the capture's exchanges are past.
    const later = Session.open(store.path, { clock: () => new Date('2026-07-01T00:00:00Z') });
    revokeKey(later, { ref: keys.rsa.id, reason: 'key compromise', at: '2026-05-01T00:00:00Z' });
    later.close();
    const findings = await inspect([
      { method: 'POST', url: `${API}/orders`, body, startedAt: '2026-04-30T23:00:00Z' },
      { method: 'POST', url: `${API}/orders`, body, startedAt: '2026-05-02T00:00:00Z' },
    ]);
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'revoked-key']);
  });

  it('reports expired-key when the key had expired at the exchange time', async () => {
    const body = await sign(store.session, keys.ec, '{"callback":true}');
    const finding = await only([{ method: 'POST', url: 'https://merchant.test/callback', body, startedAt: '2029-01-01T00:00:00Z' }], 'jws');
    expect(finding).toMatchObject({ verdict: 'expired-key', kid: keys.ec.kid, alg: 'ES256' });
  });

  it('judges every exchange at --at when given', async () => {
    const body = await sign(store.session, keys.rsa, '{}');
    const findings = await inspect([{ method: 'POST', url: `${API}/orders`, body, startedAt: '2026-06-01T00:00:00Z' }], '2030-01-01T00:00:00Z');
    expect(findings[0]?.verdict).toBe('expired-key');
  });

  it('finds the key by trying active verification keys when the token has no kid', async () => {
    const record = resolveKey(store.session, keys.ec.id);
    const { signCompact } = await import('../../../main/core/jose/sign.ts');
    const { privateKeyOf } = await import('../../../main/services/key-records.ts');
    const token = await signCompact({ key: { type: 'ec', curve: 'P-256' }, privateKey: privateKeyOf(store.session, record), payload: Buffer.from('{}'), kid: 'x' });
    const [, payload, signature] = token.split('.');
    const noKid = `${Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url')}.${payload}.${signature}`;
    // The header changed, so this signature no longer matches: the scheme must say so, not crash.
    expect((await only([{ method: 'POST', url: `${API}/x`, body: noKid }], 'jws')).verdict).toBe('invalid');
  });
});

describe('detached JWS in a Signature header', () => {
  it('verifies RFC 7515 Appendix F detached signatures over request and response bodies', async () => {
    const requestBody = '{"loan":"LA-1"}';
    const responseBody = '{"status":"accepted"}';
    const findings = (
      await inspect([
        {
          method: 'POST',
          url: 'https://lender.test/loans',
          headers: { Signature: await sign(store.session, keys.rsa, requestBody, { detached: true }) },
          body: requestBody,
          response: { headers: { Signature: await sign(store.session, keys.ec, responseBody, { detached: true }) }, body: responseBody },
        },
      ])
    ).filter((finding) => finding.scheme === 'jws-detached');
    expect(findings.map((finding) => [finding.direction, finding.location, finding.verdict])).toEqual([
      ['request', 'header:signature', 'valid'],
      ['response', 'header:signature', 'valid'],
    ]);
  });

  it('verifies RFC 7797 unencoded (b64:false) detached signatures, and catches a changed body', async () => {
    const body = '{"amount":"10.00"}';
    const signature = await sign(store.session, keys.rsa, body, { detached: true, b64: false });
    const findings = (
      await inspect([
        { method: 'POST', url: 'https://lender.test/a', headers: { 'x-jws-signature': signature }, body },
        { method: 'POST', url: 'https://lender.test/a', headers: { 'x-jws-signature': signature }, body: '{"amount":"99.00"}' },
      ])
    ).filter((finding) => finding.scheme === 'jws-detached');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'invalid']);
  });

  it('cannot tell, for a JWS carried whole in the header, when the body was not recorded', async () => {
    const finding = await only([{ method: 'POST', url: 'https://lender.test/a', headers: { Signature: await sign(store.session, keys.rsa, '{"x":1}'), 'Content-Length': '7' } }], 'jws-detached');
    expect(finding).toMatchObject({ verdict: 'unknown', detail: expect.stringContaining('did not record the body') });
  });

  it('judges every value of a signature header: attached JWS over other bytes, garbage, empty, RFC 9421', async () => {
    const body = '{"loan":"LA-1"}';
    const attachedOther = await sign(store.session, keys.rsa, '{"other":1}');
    const attachedSame = await sign(store.session, keys.rsa, body);
    const findings = (
      await inspect([
        { method: 'POST', url: 'https://lender.test/a', headers: { Signature: attachedOther }, body },
        { method: 'POST', url: 'https://lender.test/a', headers: { Signature: attachedSame }, body },
        { method: 'POST', url: 'https://lender.test/a', headers: { Signature: 'not-a-signature' }, body },
        { method: 'POST', url: 'https://lender.test/a', headers: { Signature: ' ' }, body },
        { method: 'POST', url: 'https://lender.test/a', headers: { Signature: 'sig1=:dGVzdA==:' }, body },
      ])
    ).filter((finding) => finding.scheme === 'jws-detached');
    expect(findings.map((finding) => [finding.exchange, finding.verdict, finding.detail])).toEqual([
      [0, 'invalid', expect.stringContaining('carries its own payload, which is not the body')],
      [1, 'valid', expect.stringContaining('rather than detached')],
      [2, 'malformed', expect.stringContaining('holds no JWS')],
      [3, 'malformed', 'the signature header is empty'],
      [4, 'unknown', expect.stringContaining('RFC 9421')],
    ]);
  });
});

describe('JOSE bodies the capture did not record', () => {
  it('says it cannot tell for a body typed application/jose that was not recorded, and stays quiet for other types', async () => {
    const findings = await inspect([
      { method: 'POST', url: `${API}/orders`, headers: { 'Content-Type': 'application/jose', 'Content-Length': '1234' } },
      { method: 'POST', url: `${API}/orders`, headers: { 'Content-Type': 'application/json', 'Content-Length': '1234' } },
    ]);
    expect(findings.map((finding) => [finding.exchange, finding.scheme, finding.verdict])).toEqual([[0, 'jws', 'unknown']]);
  });
});

describe('JWTs sent as bodies', () => {
  it('judges their claims, as signet verify does; a signed order body stays a plain JWS', async () => {
    const expired = await sign(store.session, keys.rsa, claims({ sub: 'la-1', exp: unix('2026-06-01T11:00:00Z') }));
    const early = await sign(store.session, keys.rsa, claims({ sub: 'la-1', nbf: unix('2026-06-02T00:00:00Z') }));
    const order = await sign(store.session, keys.rsa, '{"order":42,"expires":"2020-01-01"}');
    const findings = await inspect([
      { method: 'POST', url: `${API}/a`, body: expired },
      { method: 'POST', url: `${API}/a`, body: early },
      { method: 'POST', url: `${API}/a`, body: order },
    ]);
    expect(findings.map((finding) => [finding.scheme, finding.verdict])).toEqual([
      ['jws', 'expired'],
      ['jws', 'invalid'],
      ['jws', 'valid'],
    ]);
  });
});

describe('bearer JWTs', () => {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('reports valid for a live token and expired once exp has passed at the exchange time', async () => {
    const token = await sign(store.session, keys.ec, claims({ iss: 'auth.ocen.test', sub: 'la-1', iat: unix('2026-06-01T11:00:00Z'), exp: unix('2026-06-01T13:00:00Z') }));
    const findings = (
      await inspect([
        { url: `${API}/a`, headers: bearer(token), startedAt: '2026-06-01T12:00:00Z' },
        { url: `${API}/a`, headers: bearer(token), startedAt: '2026-06-01T14:00:00Z' },
      ])
    ).filter((finding) => finding.scheme === 'jwt');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'expired']);
  });

  it('reports invalid for the wrong audience once audiences are configured', async () => {
    updateSettings(store.session, { inspection: { jwtAudiences: ['lender.test'] } });
    const token = await sign(store.session, keys.ec, claims({ aud: 'someone-else', exp: unix('2026-06-01T13:00:00Z') }));
    expect(await only([{ url: `${API}/a`, headers: bearer(token) }], 'jwt')).toMatchObject({ verdict: 'invalid', detail: expect.stringContaining('aud') });
  });

  it('honours the clock tolerance for exp', async () => {
    const token = await sign(store.session, keys.ec, claims({ exp: unix('2026-06-01T11:59:30Z') }));
    expect((await only([{ url: `${API}/a`, headers: bearer(token) }], 'jwt')).verdict).toBe('valid');
    updateSettings(store.session, { inspection: { clockToleranceSec: 0 } });
    expect((await only([{ url: `${API}/a`, headers: bearer(token) }], 'jwt')).verdict).toBe('expired');
  });
});

describe('JWE bodies', () => {
  it('decrypts a response encrypted to a held key, and says undecryptable for one not held', async () => {
    const held = await encryptTo(store.session, keys.enc, '{"secret":"s3cr3t"}');
    const partner = await importKeys(store.session, { content: Buffer.from(JSON.stringify((await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }))), name: 'partner enc', use: 'enc' });
    const notHeld = await encryptTo(store.session, partner[0] as never, 'hidden');
    const findings = (
      await inspect([
        { method: 'POST', url: `${API}/secret`, response: { body: held } },
        { method: 'POST', url: `${API}/secret`, response: { body: notHeld } },
      ])
    ).filter((finding) => finding.scheme === 'jwe');
    expect(findings.map((finding) => [finding.direction, finding.verdict])).toEqual([
      ['response', 'decrypted'],
      ['response', 'undecryptable'],
    ]);
    expect(findings[0]?.detail).not.toContain('s3cr3t');
  });

  it('fails an altered JWE or a refused header under a held key; a kid naming no held key stays undecryptable', async () => {
    const held = await encryptTo(store.session, keys.enc, '{"a":1}');
    const [header = '', key = '', iv = '', ciphertext = '', tag = ''] = held.split('.');
    const flippedTag = `${header}.${key}.${iv}.${ciphertext}.${tag.startsWith('A') ? 'B' : 'A'}${tag.slice(1)}`;
    const withHeader = (extra: Record<string, unknown>) => {
      const decoded = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
      return [Buffer.from(JSON.stringify({ ...decoded, ...extra })).toString('base64url'), key, iv, ciphertext, tag].join('.');
    };
    const findings = (
      await inspect([
        { method: 'POST', url: `${API}/s`, response: { body: flippedTag } },
        { method: 'POST', url: `${API}/s`, response: { body: withHeader({ zip: 'DEF' }) } },
        { method: 'POST', url: `${API}/s`, response: { body: withHeader({ kid: 'nobody-here' }) } },
      ])
    ).filter((finding) => finding.scheme === 'jwe');
    expect(findings.map((finding) => [finding.verdict, finding.detail])).toEqual([
      ['invalid', expect.stringContaining('with the key its kid names: the JWE was altered')],
      ['invalid', expect.stringContaining('compressed JWE refused')],
      ['undecryptable', expect.stringMatching(/^no key with kid "nobody-here" is held, and none of the \d+ held keys that fit opens it$/)],
    ]);
  });
});

describe('X-OPG-Signature HMAC', () => {
  const uri = '/opg/surveys?x=1';
  const url = `https://api.onepoint.test${uri}`;

  it('reports valid, then replay for the same nonce within the window', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'POST', uri, body: '{"a":1}', timestamp: unix(AT), nonce: 'n-1' });
    const findings = (
      await inspect([
        { method: 'POST', url, headers: { Authorization: header }, body: '{"a":1}', startedAt: AT },
        { method: 'POST', url, headers: { Authorization: header }, body: '{"a":1}', startedAt: '2026-06-01T12:01:00Z' },
      ])
    ).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'replay']);
    expect(findings[0]?.trace?.find((step) => step.label === 'canonical string')?.value).toBe(`OPG-APP-1POST${uri}${unix(AT)}n-1${Buffer.from('{"a":1}').toString('base64')}`);
  });

  it('judges a reused nonce by when the requests were made, not by the timestamps the client wrote', async () => {
    const first = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT), nonce: 'dup' });
    // 4 min 10 s later, its timestamp 9 minutes on: inside the window around its arrival, and a replay.
    const second = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) + 540, nonce: 'dup' });
    const findings = (
      await inspect([
        { url, headers: { Authorization: first }, startedAt: AT },
        { url, headers: { Authorization: second }, startedAt: '2026-06-01T12:04:10.000Z' },
      ])
    ).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'replay']);
  });

  it('names the later request as the replay when the capture is out of time order', async () => {
    const first = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) + 5, nonce: 'dup' });
    const second = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT), nonce: 'dup' });
    const findings = (
      await inspect([
        { url, headers: { Authorization: first }, startedAt: '2026-06-01T12:00:05.000Z' },
        { url, headers: { Authorization: second }, startedAt: AT },
      ])
    ).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'replay']);
    expect(findings[1]?.detail).toContain('is also used by a request sent later (2026-06-01T12:00:05.000Z');
  });

  it('judges the timestamp against when the request was sent, whatever --at says', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) });
    const findings = (await inspect([{ url, headers: { Authorization: header }, startedAt: AT }], '2026-09-01T00:00:00Z')).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid']);
  });

  it('cannot tell, rather than says invalid, when the capture did not keep the body the HMAC covers', async () => {
    const body = '{"answer":"yes"}';
    const header = opgHeader(store.session, keys.hmac, { method: 'POST', uri, body, timestamp: unix(AT) });
    const form = opgHeader(store.session, keys.hmac, { method: 'POST', uri, body: 'q=a%20b', timestamp: unix(AT) });
    const entry = (postData: Record<string, unknown> | undefined, authorization: string, extra: Record<string, string> = {}) => {
      const built = harEntry({ method: 'POST', url, headers: { Authorization: authorization, ...extra } }) as { request: Record<string, unknown> };
      if (postData) built.request.postData = postData;
      return built;
    };
    const findings = (
      await inspect([
        entry(undefined, header, { 'Content-Length': String(body.length) }),
        entry({ mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'answer', value: 'yes' }] }, header),
        entry({ mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'a b' }] }, form),
        entry(undefined, header),
      ] as never)
    ).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => [finding.verdict, finding.detail])).toEqual([
      ['unknown', 'the capture did not record the request body, which the HMAC covers: it cannot be checked'],
      ['unknown', 'the capture did not record the request body, which the HMAC covers: it cannot be checked'],
      ['unknown', expect.stringContaining('rebuilt from the capture\'s form params')],
      ['invalid', expect.stringContaining('does not match')],
    ]);
  });

  it('reports clock-skew when the timestamp is outside the window', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) - 600 });
    expect((await only([{ url, headers: { Authorization: header }, startedAt: AT }], 'hmac-opg')).verdict).toBe('clock-skew');
  });

  it('skips replay and skew for configured callback paths', async () => {
    updateSettings(store.session, { inspection: { hmacCallbackPaths: ['/opg'] } });
    const header = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) - 6000, nonce: 'same' });
    const findings = (await inspect([{ url, headers: { Authorization: header } }, { url, headers: { Authorization: header } }])).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['valid', 'valid']);
  });

  it('reports invalid when the body was changed and unknown-key for an unknown AppId', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'POST', uri, body: '{"a":1}', timestamp: unix(AT) });
    const stranger = header.replace('OPG-APP-1', 'OPG-APP-9');
    const findings = (
      await inspect([
        { method: 'POST', url, headers: { Authorization: header }, body: '{"a":2}' },
        { method: 'POST', url, headers: { Authorization: stranger }, body: '{"a":1}' },
      ])
    ).filter((finding) => finding.scheme === 'hmac-opg');
    expect(findings.map((finding) => finding.verdict)).toEqual(['invalid', 'unknown-key']);
  });

  it('reports two Authorization headers as malformed, while judging each', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'GET', uri, timestamp: unix(AT) });
    const entry = harEntry({ url, headers: { Authorization: header } }) as { request: { headers: { name: string; value: string }[] } };
    entry.request.headers.push({ name: 'authorization', value: 'Bearer smuggled' });
    const findings = await inspect([entry] as never);
    expect(findings.map((finding) => [finding.scheme, finding.verdict])).toEqual([
      ['capture', 'malformed'],
      ['hmac-opg', 'valid'],
    ]);
    expect(findings[0]?.detail).toBe('2 Authorization headers: servers and proxies differ on which one counts (RFC 9110 §11.6.2 allows one)');
  });

  it('reports a garbled header as malformed', async () => {
    expect((await only([{ url, headers: { Authorization: 'X-OPG-Signature only:two' } }], 'hmac-opg')).verdict).toBe('malformed');
  });
});

describe('API keys', () => {
  it('matches a stored key by hash and reports an unknown one by its last four only', async () => {
    addApiKey(store.session, { header: 'X-KLIX-Api-Key', value: 'klix_live_0123456789abcdef', name: 'acme live' });
    const findings = (
      await inspect([
        { url: `${API}/a`, headers: { 'X-KLIX-Api-Key': 'klix_live_0123456789abcdef' } },
        { url: `${API}/a`, headers: { 'x-klix-api-key': 'klix_live_ffffffffffff9999' } },
      ])
    ).filter((finding) => finding.scheme === 'api-key');
    expect(findings.map((finding) => finding.verdict)).toEqual(['known', 'unknown']);
    expect(findings[0]?.detail).toContain('acme live');
    expect(findings[1]?.detail).toContain('…9999');
    expect(JSON.stringify(findings)).not.toContain('ffffffffffff9999');
  });
});

describe('key agreement', () => {
  it('accepts a well-formed exchange and flags a scheme the client did not offer', async () => {
    const { spec } = createClientSpec({ schemes: ['SCHEME-EC-AES2'], identifier: Buffer.from('client-1') });
    const { info } = answerClientSpec(spec, { identifier: Buffer.from('server-1') });
    const forged = { ...info, scheme: 'SCHEME-EC-AES1' };
    const findings = (
      await inspect([
        { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: JSON.stringify(spec), response: { body: JSON.stringify(info) } },
        { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: JSON.stringify(spec), response: { body: JSON.stringify(forged) } },
        { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: '{"identifier":"!!"}' },
        // A spec malformed elsewhere (a key of the wrong size) still says what it offered.
        { method: 'POST', url: 'https://bank.test/rest/key-agreement', body: JSON.stringify({ ...spec, public_key: 'AAAA' }), response: { body: JSON.stringify(forged) } },
      ])
    ).filter((finding) => finding.scheme === 'key-agreement');
    expect(findings.map((finding) => [finding.exchange, finding.direction, finding.verdict])).toEqual([
      [0, 'request', 'valid'],
      [0, 'response', 'valid'],
      [1, 'request', 'valid'],
      [1, 'response', 'invalid'],
      [2, 'request', 'malformed'],
      [2, 'response', 'malformed'],
      [3, 'request', 'malformed'],
      [3, 'response', 'invalid'],
    ]);
    expect(findings.at(-1)?.detail).toMatch(/the server chose SCHEME-EC-AES1, which the client did not offer \(SCHEME-EC-AES2\)/);
  });
});

describe('policy', () => {
  it('flags an unsigned POST and a signed GET to a host configured as JWS-signed', async () => {
    updateSettings(store.session, { inspection: { signedRequestHosts: ['api.klix.test'] } });
    const signed = await sign(store.session, keys.rsa, '{}');
    const findings = (
      await inspect([
        { method: 'POST', url: `${API}/orders`, body: '{"plain":true}' },
        { method: 'GET', url: `${API}/orders`, body: signed },
        { method: 'POST', url: `${API}/orders`, body: signed },
        { method: 'POST', url: 'https://elsewhere.test/x', body: '{}' },
      ])
    ).filter((finding) => finding.scheme === 'policy');
    expect(findings.map((finding) => [finding.exchange, finding.verdict, finding.detail])).toEqual([
      [0, 'violation', expect.stringContaining('unsigned POST')],
      [1, 'violation', expect.stringContaining('signed GET')],
    ]);
  });

  it('flags requests to a signed host that are signed with a shared secret (partner 003: private keys only)', async () => {
    updateSettings(store.session, { inspection: { signedRequestHosts: ['api.klix.test'] } });
    const hs = await sign(store.session, keys.hmac, '{"order":1}', { alg: 'HS256' });
    const findings = (await inspect([{ method: 'POST', url: `${API}/orders`, body: hs }])).filter((finding) => finding.scheme === 'policy');
    expect(findings.map((finding) => [finding.verdict, finding.detail])).toEqual([['violation', expect.stringContaining('signed with a shared secret (HS256)')]]);
  });

  it('cannot tell whether a request was signed when the capture did not keep its body', async () => {
    updateSettings(store.session, { inspection: { signedRequestHosts: ['api.klix.test'] } });
    const finding = await only([{ method: 'POST', url: `${API}/orders`, headers: { 'Content-Length': '420' } }], 'policy');
    expect(finding).toMatchObject({ verdict: 'unknown', detail: 'the capture did not record the body of this POST to api.klix.test, so whether it was signed cannot be told (mutating requests to this host must carry a JWS)' });
  });

  it('takes a signature header that holds no JWS for unsigned', async () => {
    updateSettings(store.session, { inspection: { signedRequestHosts: ['api.klix.test'] } });
    const findings = (await inspect([{ method: 'POST', url: `${API}/orders`, headers: { Signature: 'garbage' }, body: '{}' }])).map((finding) => [finding.scheme, finding.verdict]);
    expect(findings).toEqual([
      ['jws-detached', 'malformed'],
      ['policy', 'violation'],
    ]);
  });

  it('flags a request without an API key to a host that requires one (partner 003)', async () => {
    updateSettings(store.session, { inspection: { apiKeyHosts: ['api.klix.test'] } });
    const findings = (
      await inspect([
        { method: 'GET', url: `${API}/orders`, headers: { 'X-KLIX-Api-Key': 'klix_live_0123456789abcdef' } },
        { method: 'GET', url: `${API}/orders` },
        { method: 'GET', url: `${API}/orders`, headers: { 'x-klix-api-key': ' ' } },
        { method: 'GET', url: 'https://elsewhere.test/x' },
      ])
    ).filter((finding) => finding.scheme === 'policy');
    expect(findings.map((finding) => [finding.exchange, finding.verdict, finding.detail])).toEqual([
      [1, 'violation', 'request to api.klix.test without an API key: every request to this host must carry X-KLIX-Api-Key'],
      [2, 'violation', expect.stringContaining('without an API key')],
    ]);
  });

  it('flags unsigned responses from hosts that must sign them', async () => {
    updateSettings(store.session, { inspection: { signedResponseHosts: ['lender.test'] } });
    const finding = await only([{ url: 'https://lender.test/loans', response: { body: '{}' } }], 'policy');
    expect(finding).toMatchObject({ direction: 'response', verdict: 'violation' });
  });
});

describe('broken captures', () => {
  it('reports a broken entry as malformed and still inspects the rest', async () => {
    const body = await sign(store.session, keys.rsa, '{}');
    const good = harText([{ method: 'POST', url: `${API}/a`, body }]);
    const parsed = JSON.parse(good) as { log: { entries: unknown[] } };
    parsed.log.entries = [parsed.log.entries[0], { startedDateTime: AT, request: 'not an object' }, parsed.log.entries[0]];
    const path = writeCapture(store.dir, 'broken.har', JSON.stringify(parsed));
    const report = await verifyCapture(store.session, { path });
    expect(report.exchanges).toBe(3);
    expect(report.findings.map((finding) => [finding.exchange, finding.scheme, finding.verdict])).toEqual([
      [0, 'jws', 'valid'],
      [1, 'capture', 'malformed'],
      [2, 'jws', 'valid'],
    ]);
    expect(report.summary).toEqual({ valid: 2, malformed: 1 });
  });

  it('still checks a bearer token on a side whose body cannot be read', async () => {
    const token = await sign(store.session, keys.ec, claims({ sub: 'la-1', exp: unix('2026-06-01T13:00:00Z') }));
    const parsed = JSON.parse(harText([{ method: 'POST', url: `${API}/a`, headers: { Authorization: `Bearer ${token}` }, body: '{}' }])) as { log: { entries: { request: { postData: Record<string, unknown> } }[] } };
    Object.assign(parsed.log.entries[0]?.request.postData ?? {}, { text: '%%', encoding: 'base64' });
    const report = await verifyCapture(store.session, { path: writeCapture(store.dir, 'bearer.har', JSON.stringify(parsed)) });
    expect(report.findings.map((finding) => [finding.direction, finding.scheme, finding.verdict])).toEqual([
      ['request', 'capture', 'malformed'],
      ['request', 'jwt', 'valid'],
    ]);
  });

  it('still checks the request when the response cannot be read, and the response when the request body cannot', async () => {
    const body = await sign(store.session, keys.rsa, '{"order":1}');
    const parsed = JSON.parse(harText([{ method: 'POST', url: `${API}/a`, body, response: { body } }, { method: 'POST', url: `${API}/b`, body, response: { body } }])) as {
      log: { entries: { request: { postData: Record<string, unknown> }; response: { content: Record<string, unknown> } }[] };
    };
    const [first, second] = parsed.log.entries;
    if (!first || !second) throw new Error('two entries expected');
    Object.assign(first.response.content, { text: 'ab$cd', encoding: 'base64' });
    Object.assign(second.request.postData, { text: '%%', encoding: 'base64' });
    const report = await verifyCapture(store.session, { path: writeCapture(store.dir, 'half-broken.har', JSON.stringify(parsed)) });
    expect(report.findings.map((finding) => [finding.exchange, finding.direction, finding.scheme, finding.verdict, finding.detail])).toEqual([
      [0, 'response', 'capture', 'malformed', 'response.content.text is not valid base64'],
      [0, 'request', 'jws', 'valid', expect.any(String)],
      [1, 'request', 'capture', 'malformed', 'request.postData.text is not valid base64'],
      [1, 'response', 'jws', 'valid', expect.any(String)],
    ]);
  });

  it('refuses a file that is not a capture with a clear error naming the place', async () => {
    const path = writeCapture(store.dir, 'junk.har', '{"log": {"entries": [ {"request": ');
    await expect(verifyCapture(store.session, { path })).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED', message: expect.stringMatching(/offset|truncated|entry/i) });
  });

  it('asks for a UTF-16 capture without a byte order mark to be saved as UTF-8, small or over 4 MiB (read on workers)', async () => {
    const utf16 = (name: string, text: string) => {
      const path = join(store.dir, name);
      writeFileSync(path, Buffer.from(text, 'utf16le'));
      return path;
    };
    const small = utf16('small.har', harText([{ url: `${API}/a` }]));
    const big = utf16('big.har', harText([{ method: 'POST', url: `${API}/a`, body: 'x'.repeat(2_200_000) }]));
    expect(statSync(big).size).toBeGreaterThan(4 * 1024 * 1024);
    for (const path of [small, big]) {
      await expect(verifyCapture(store.session, { path })).rejects.toMatchObject({ code: 'ERR_HAR_MALFORMED', message: 'the file is UTF-16 text: save it as UTF-8' });
    }
  });

  it('says plainly when the file does not exist', async () => {
    await expect(verifyCapture(store.session, { path: `${store.dir}/missing.har` })).rejects.toMatchObject({ code: 'ERR_UNREADABLE', message: expect.stringContaining('no such file') });
  });
});
