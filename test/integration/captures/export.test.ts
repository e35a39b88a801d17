import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../main/core/inspect/findings.ts';
import { addApiKey, apiKeyHeaders } from '../../../main/services/api-keys.ts';
import { exportSanitized } from '../../../main/services/capture-export.ts';
import type { SanitizedExport } from '../../../main/services/views.ts';
import { importCapture, verifyCapture } from '../../../main/services/captures.ts';
import { harText, writeCapture, type EntrySpec } from '../../support/capture.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';
import { merchantKeys, opgHeader, sign, unix } from './fixtures.ts';

interface HarOut {
  log: {
    comment?: string;
    entries: {
      startedDateTime: string;
      request: { url: string; headers: { name: string; value: string }[]; postData?: { text: string } };
      response: { headers: { name: string; value: string }[]; content: { text?: string } };
    }[];
  };
}

const clock = manualClock('2026-01-01T00:00:00Z');
let store: TempStore;
let keys: Awaited<ReturnType<typeof merchantKeys>>;
beforeEach(async () => {
  clock.set('2026-01-01T00:00:00Z');
  store = await tempStore({ clock });
  keys = await merchantKeys(store.session);
});
afterEach(() => store.cleanup());

async function exported(file: string, text: string, options: { at?: string } = {}): Promise<{ result: SanitizedExport; har: HarOut; stored: Finding[]; again: Finding[] }> {
  const capture = await importCapture(store.session, { path: writeCapture(store.dir, file, text), ...options });
  const out = join(store.dir, `${file}.sanitized.har`);
  const result = await exportSanitized(store.session, { id: capture.id, path: out });
  const again = await verifyCapture(store.session, { path: out });
  return { result, har: JSON.parse(readFileSync(out, 'utf8')) as HarOut, stored: store.session.captures.findings(capture.id), again: again.findings };
}

const exportHar = (entries: EntrySpec[]) => exported('capture.har', harText(entries));

const header = (headers: { name: string; value: string }[], name: string) => headers.find((entry) => entry.name === name)?.value;

/** Everything but the credentials themselves (bearer JWTs and API keys, redacted on purpose). */
const verdicts = (findings: Finding[]) => findings.filter((finding) => finding.scheme !== 'jwt' && finding.scheme !== 'api-key').map((finding) => [finding.exchange, finding.direction, finding.scheme, finding.location, finding.verdict]);

describe('sanitized export: the file it writes', () => {
  it('exports a response body that could not be read as not recorded, keeping its status and headers', async () => {
    const entry = { startedDateTime: '2026-06-01T12:00:00Z', request: { method: 'GET', url: 'https://lender.test/a', headers: [] }, response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/jose' }], content: { size: 5, text: 'ab$cd', encoding: 'base64' } } };
    const { har } = await exported('unreadable.har', JSON.stringify({ log: { entries: [entry] } }));
    expect(har.log.entries[0]?.response).toMatchObject({ status: 200, headers: [{ name: 'Content-Type', value: 'application/jose' }], _bodyNotRecorded: true });
  });

  it('marks bodies the capture did not record or rebuilt, so the partner sees "cannot tell", not "invalid"', async () => {
    const header = opgHeader(store.session, keys.hmac, { method: 'POST', uri: '/opg/x', body: '{"a":1}', timestamp: unix('2026-06-01T12:00:00Z') });
    const missing = { startedDateTime: '2026-06-01T12:00:00Z', request: { method: 'POST', url: 'https://api.onepoint.test/opg/x', headers: [{ name: 'Authorization', value: header }], bodySize: 7 }, response: { status: 204 } };
    const rebuilt = { ...missing, request: { ...missing.request, postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'a b' }] } } };
    const { stored, again, har } = await exported('unrecorded.har', JSON.stringify({ log: { entries: [missing, rebuilt] } }));
    const hmac = (findings: Finding[]) => findings.filter((finding) => finding.scheme === 'hmac-opg').map((finding) => finding.verdict);
    expect(hmac(stored)).toEqual(['unknown', 'unknown']);
    expect(hmac(again)).toEqual(['unknown', 'unknown']);
    expect(har.log.entries.map((entry) => Object.keys(entry.request).filter((key) => key.startsWith('_')))).toEqual([['_bodyNotRecorded'], ['_bodyRebuilt']]);
  });

  it('does not replace an existing file unless asked to', async () => {
    const capture = await importCapture(store.session, { path: writeCapture(store.dir, 'c.har', harText([{ url: 'https://a.test/x' }])) });
    const out = writeCapture(store.dir, 'precious.txt', 'keep me');
    await expect(exportSanitized(store.session, { id: capture.id, path: out })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('already exists') });
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    await exportSanitized(store.session, { id: capture.id, path: out, overwrite: true });
    expect(readFileSync(out, 'utf8')).toContain('"entries"');
  });
});

describe('sanitized export: credentials', () => {
  it('redacts an Authorization value with no scheme whole, and keeps the name of a known scheme', async () => {
    const values = ['sk_live_RAWTOKEN_4242', 'sk_live_first half-of-it', 'Basic dXNlcjpodW50ZXIy', 'Negotiate YIIGhgYGKwYBBQUC'];
    const { har } = await exportHar(values.map((value) => ({ url: 'https://api.test/x', headers: { Authorization: value } })));
    expect(har.log.entries.map((entry) => header(entry.request.headers, 'Authorization'))).toEqual([
      '[redacted by Signet]',
      '[redacted by Signet]',
      'Basic [redacted by Signet]',
      'Negotiate [redacted by Signet]',
    ]);
  });

  it('redacts the common credential headers, and leaves the others and signature headers', async () => {
    const credentials = { 'X-Access-Token': 'XAT-1', 'Private-Token': 'PT-1', 'X-Auth-Token': 'XA-1', Authentication: 'AU-1', 'X-Amz-Security-Token': 'AMZ-1', 'X-Client-Secret': 'CS-1', 'X-Api-Key': 'AK-1' };
    const others = { 'X-Request-Id': 'req-77', Accept: 'application/json', 'X-KLIX-Signature': 'eyJhbGciOiJSUzI1NiJ9..c2lnbmF0dXJl', 'X-Hub-Signature-256': 'sha256=9f86d081884c7d65' };
    const { har } = await exportHar([{ url: 'https://api.test/x', headers: { ...credentials, ...others } }]);
    const headers = har.log.entries[0]?.request.headers ?? [];
    for (const name of Object.keys(credentials)) expect(header(headers, name)).toBe('[redacted by Signet]');
    for (const [name, value] of Object.entries(others)) expect(header(headers, name)).toBe(value);
  });

  it('redacts the header of a registered API key, keeping its last four', async () => {
    addApiKey(store.session, { header: 'X-Partner-Key', value: 'partner-key-SECRET-7777' });
    const { har } = await exportHar([{ url: 'https://api.test/x', headers: { 'X-Partner-Key': 'partner-key-SECRET-7777' } }]);
    expect(header(har.log.entries[0]?.request.headers ?? [], 'X-Partner-Key')).toBe('[redacted API key …7777]');
  });

  it('does not read its own API-key placeholder back as an unknown key', async () => {
    addApiKey(store.session, { header: 'X-KLIX-Api-Key', value: 'klix-live-KEY-0123456789abcdWXYZ' });
    const { stored, again } = await exportHar([{ url: 'https://api.klix.test/x', headers: { 'X-KLIX-Api-Key': 'klix-live-KEY-0123456789abcdWXYZ' } }]);
    expect(stored.map((finding) => [finding.scheme, finding.verdict])).toEqual([['api-key', 'known']]);
    expect(again).toEqual([]);
  });

  it('redacts multipart password fields, OAuth codes and assertions, session ids, and nested Authorization members', async () => {
    const multipart = ['--b', 'Content-Disposition: form-data; name="user"', '', 'ann', '--b', 'Content-Disposition: form-data; name="password"', '', 'MultipartHunter2', '--b', 'Content-Disposition: form-data; name="passport"', '', 'P123', '--b--', ''].join('\r\n');
    const { har } = await exportHar([
      { method: 'POST', url: 'https://app.test/login', headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, body: multipart },
      { method: 'POST', url: 'https://auth.test/token', body: 'grant_type=authorization_code&code=OAUTHCODE1&code_verifier=VERIFIER1&client_assertion=eyJhbGciOi.x.y&pass=P1&pwd=P2' },
      { url: 'https://app.test/cb?code=OAUTHCODE2&state=s&accessToken=AT9&sessionid=SID1', headers: { 'X-Session-Id': 'SID2' } },
      { method: 'POST', url: 'https://api.test/proxy', body: '{"headers":{"Authorization":"Bearer NESTED1"},"note":"ok"}' },
    ]);
    const text = JSON.stringify(har);
    for (const secret of ['MultipartHunter2', 'OAUTHCODE1', 'VERIFIER1', 'eyJhbGciOi.x.y', 'P1&', 'P2', 'OAUTHCODE2', 'AT9', 'SID1', 'SID2', 'NESTED1']) expect(text).not.toContain(secret);
    for (const kept of ['ann', 'P123', 'grant_type=authorization_code', 'state=s', 'note']) expect(text).toContain(kept);
  });

  it('redacts a form posted in Latin-1, written as base64, and leaves binary bodies alone', async () => {
    const capture = await importCapture(store.session, {
      path: writeCapture(
        store.dir,
        'latin1.har',
        JSON.stringify({
          log: {
            entries: [
              { startedDateTime: '2026-01-01T00:00:00Z', request: { method: 'POST', url: 'https://app.test/login', headers: [], postData: { mimeType: 'application/x-www-form-urlencoded; charset=iso-8859-1', text: Buffer.from('name=Jos\xe9&password=Latin1Hunter2', 'latin1').toString('base64'), encoding: 'base64' } }, response: { status: 200, content: { size: 4, mimeType: 'image/png', text: Buffer.from([0x89, 0x50, 0x00, 0x01]).toString('base64'), encoding: 'base64' } } },
            ],
          },
        }),
      ),
    });
    const out = join(store.dir, 'latin1.sanitized.har');
    await exportSanitized(store.session, { id: capture.id, path: out });
    const [entry] = (JSON.parse(readFileSync(out, 'utf8')) as { log: { entries: { request: { postData: { text: string } }; response: { content: { text: string } } }[] } }).log.entries;
    expect(Buffer.from(entry?.request.postData.text ?? '', 'base64').toString('latin1')).toBe('name=Jos\xe9&password=[redacted]');
    expect(entry?.response.content.text).toBe(Buffer.from([0x89, 0x50, 0x00, 0x01]).toString('base64'));
  });

  it('redacts credential members of JSON bodies as strings, keeping the JSON valid', async () => {
    const body = JSON.stringify({
      grant: { access_token: 'AT-1', refresh_token: 'RT-1', id_token: 'IT-1' },
      client_secret: 'CS-1',
      password: 'PW-1',
      api_key: 'AK-1',
      clientSecret: 'CS-2',
      note: 'the text "password": "not a member"',
      callback: 'https://app.test/cb?access_token=CB-1&state=s',
      count: 3,
    });
    const { har } = await exportHar([{ method: 'POST', url: 'https://auth.test/token', body, response: { body: '{"access_token": "AT-2", "token_type": "Bearer"}' } }]);
    const [entry] = har.log.entries;
    expect(JSON.parse(entry?.request.postData?.text ?? '')).toEqual({
      grant: { access_token: '[redacted]', refresh_token: '[redacted]', id_token: '[redacted]' },
      client_secret: '[redacted]',
      password: '[redacted]',
      api_key: '[redacted]',
      clientSecret: '[redacted]',
      note: 'the text "password": "not a member"',
      callback: 'https://app.test/cb?access_token=[redacted]&state=s',
      count: 3,
    });
    expect(JSON.parse(entry?.response.content.text ?? '')).toEqual({ access_token: '[redacted]', token_type: 'Bearer' });
  });

  it('redacts a credential in the first field of a form body', async () => {
    const { har } = await exportHar([
      { method: 'POST', url: 'https://auth.test/token', body: 'client_secret=CS-TOPSECRET-999&grant_type=client_credentials' },
      { method: 'POST', url: 'https://auth.test/login', body: 'password=PW-1&user=bob' },
    ]);
    expect(har.log.entries.map((entry) => entry.request.postData?.text)).toEqual(['client_secret=[redacted]&grant_type=client_credentials', 'password=[redacted]&user=bob']);
  });

  it('redacts userinfo in URLs, and access tokens in the URLs of Referer and Location', async () => {
    const { har } = await exportHar([
      {
        url: 'https://user:PASSWORD-IN-URL@api.test/x?api_key=QS-1&page=2',
        headers: { Referer: 'https://app.test/cb?access_token=REFERER-1&x=1' },
        response: { status: 302, headers: { Location: 'https://app.test/cb#access_token=FRAGMENT-1&state=s' } },
      },
    ]);
    const [entry] = har.log.entries;
    expect(entry?.request.url).toBe('https://[redacted]@api.test/x?api_key=[redacted]&page=2');
    expect(header(entry?.request.headers ?? [], 'Referer')).toBe('https://app.test/cb?access_token=[redacted]&x=1');
    expect(header(entry?.response.headers ?? [], 'Location')).toBe('https://app.test/cb#access_token=[redacted]&state=s');
  });
});

describe('sanitized export: signatures', () => {
  it('keeps a body a detached JWS covers, verifying as before, and reports the credential it holds', async () => {
    const form = 'amount=10&token=tok-ABCDEF-123&ref=x';
    const signature = await sign(store.session, keys.rsa, form, { detached: true });
    const { result, har, stored, again } = await exportHar([
      { method: 'POST', url: 'https://lender.test/pay', headers: { Signature: signature }, body: form },
      { method: 'POST', url: 'https://lender.test/pay', body: form },
    ]);
    expect(har.log.entries.map((entry) => entry.request.postData?.text)).toEqual([form, 'amount=10&token=[redacted]&ref=x']);
    expect(header(har.log.entries[0]?.request.headers ?? [], 'Signature')).toBe(signature);
    expect(verdicts(again)).toEqual(verdicts(stored));
    expect(verdicts(again)).toEqual([[0, 'request', 'jws-detached', 'header:signature', 'valid']]);
    expect(result).toMatchObject({ keptSigned: 1, keptSignedAt: [{ exchange: 0, direction: 'request', part: 'body' }] });
  });

  it('keeps the request target and the body an X-OPG-Signature covers', async () => {
    const body = 'password=PW-OPG-1';
    const authorization = opgHeader(store.session, keys.hmac, { method: 'POST', uri: '/opg/a?token=QS-OPG-1', body, timestamp: unix('2026-06-01T12:00:00Z') });
    const { result, har, stored, again } = await exportHar([{ method: 'POST', url: 'https://api.onepoint.test/opg/a?token=QS-OPG-1', headers: { Authorization: authorization }, body }]);
    const [entry] = har.log.entries;
    expect(entry?.request.url).toBe('https://api.onepoint.test/opg/a?token=QS-OPG-1');
    expect(entry?.request.postData?.text).toBe(body);
    expect(header(entry?.request.headers ?? [], 'Authorization')).toBe(authorization);
    expect(verdicts(again)).toEqual([[0, 'request', 'hmac-opg', 'header:authorization', 'valid']]);
    expect(verdicts(again)).toEqual(verdicts(stored));
    expect(result.keptSigned).toBe(2);
    expect(result.keptSignedAt.map((kept) => kept.part).sort()).toEqual(['body', 'url']);
    expect(result.keptSignedWarning).toMatch(/^2 signed parts that look to hold a credential were kept as captured, so the signature still verifies \(#0 request (body|url), #0 request (body|url)\): check the file before sending it\.$/);
  });

  it('reports nothing kept when no signed part holds a credential', async () => {
    const { result } = await exportHar([{ method: 'POST', url: 'https://api.klix.test/orders', body: await sign(store.session, keys.rsa, '{"order":42}') }]);
    expect(result).toMatchObject({ exchanges: 1, keptSigned: 0, keptSignedAt: [], keptSignedWarning: null });
  });
});

function rawExchange(request: { line: string; headers: string[]; body: string }, response = 'HTTP/1.1 204 No Content\r\n\r\n'): string {
  return [request.line, ...request.headers, `Content-Length: ${Buffer.byteLength(request.body)}`, '', request.body].join('\r\n') + response;
}

describe('sanitized export: raw HTTP', () => {
  async function rawCapture(): Promise<string> {
    const form = 'amount=10&token=tok-RAW-1';
    return [
      rawExchange({ line: 'POST /orders HTTP/1.1', headers: ['Host: api.klix.test', 'Content-Type: application/jose'], body: await sign(store.session, keys.rsa, '{"order":123}') }),
      // No Host: the URL stays relative, as it was found.
      rawExchange({ line: 'POST /loan HTTP/1.1', headers: [`Signature: ${await sign(store.session, keys.ec, form, { detached: true })}`], body: form }),
      rawExchange({ line: 'POST /opg/surveys?x=1 HTTP/1.1', headers: ['Host: api.opg.test', `Authorization: ${opgHeader(store.session, keys.hmac, { method: 'POST', uri: '/opg/surveys?x=1', body: '{}', timestamp: unix('2026-03-01T00:00:00Z') })}`], body: '{}' }),
    ].join('');
  }

  it('writes an exchange without a time at the moment it was judged, so the export verifies as stored', async () => {
    const text = await rawCapture();
    clock.set('2026-03-01T00:00:00Z');
    const { har, stored, again } = await exported('pasted.http', text);
    expect(har.log.entries.map((entry) => entry.startedDateTime)).toEqual(Array(3).fill('2026-03-01T00:00:00.000Z'));
    expect(har.log.entries[1]?.request.url).toBe('/loan');
    expect(verdicts(stored).map((finding) => finding[4])).toEqual(['valid', 'valid', 'valid']);
    expect(verdicts(again)).toEqual(verdicts(stored));
  });

  it('writes them at the --at moment of a capture judged as of one', async () => {
    const text = await rawCapture();
    clock.set('2026-03-01T00:02:00Z');
    const { har, stored, again } = await exported('pasted.http', text, { at: '2026-03-01T00:00:00Z' });
    expect(har.log.entries[0]?.startedDateTime).toBe('2026-03-01T00:00:00.000Z');
    expect(har.log.comment).toContain('--at 2026-03-01T00:00:00.000Z');
    expect(verdicts(again)).toEqual(verdicts(stored));
  });
});

describe('API-key headers', () => {
  it('are those of the setting and of every registered key, each once', () => {
    addApiKey(store.session, { header: 'X-Partner-Key', value: 'partner-key-0001' });
    addApiKey(store.session, { header: 'x-klix-api-key', value: 'klix-key-0002' });
    expect(apiKeyHeaders(store.session)).toEqual(['X-KLIX-Api-Key', 'X-Partner-Key']);
  });

  it('refuses to register a key for something that is not a header name', () => {
    expect(() => addApiKey(store.session, { header: 'Bad Header:', value: 'partner-key-0001' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
  });
});
