import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  HMAC_PROFILES,
  canonicalString,
  parseOpgHeader,
  requestUriOf,
  signOpg,
  verifyOpg,
  type SignOpgInput,
} from '../../../main/core/opg/index.ts';

// The secret is a string as the portal issues it; generated per run, never committed.
const secretText = randomBytes(24).toString('base64');
const secret = Buffer.from(secretText, 'utf8');
const body = new TextEncoder().encode('{"surveyId":42,"answers":["ja","nee"]}');
const request: SignOpgInput = {
  profile: 'opg-sha256',
  appId: 'app-7f3a',
  secret,
  method: 'post',
  uri: '/opg/surveys?x=1',
  body,
  timestamp: 1767225600,
  nonce: 'n-5d1c9e',
};
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

describe('canonical string (profile opg-sha256)', () => {
  it('is AppId, upper-case method, URI as sent, timestamp, nonce and padded Base64 of the body, with no separator', () => {
    const bodyBase64 = 'eyJzdXJ2ZXlJZCI6NDIsImFuc3dlcnMiOlsiamEiLCJuZWUiXX0=';
    expect(canonicalString('opg-sha256', request)).toBe(`app-7f3aPOST/opg/surveys?x=11767225600n-5d1c9e${bodyBase64}`);
  });

  it('ends with the nonce when there is no body', () => {
    expect(canonicalString('opg-sha256', { ...request, method: 'GET', body: undefined })).toBe('app-7f3aGET/opg/surveys?x=11767225600n-5d1c9e');
    expect(canonicalString('opg-sha256', { ...request, method: 'GET', body: new Uint8Array() })).toBe('app-7f3aGET/opg/surveys?x=11767225600n-5d1c9e');
  });

  it('refuses an unknown profile, listing the known ones', () => {
    expect(() => canonicalString('opg-md5', request)).toThrow(/known profiles: opg-sha256, opg-sha1-legacy/);
  });
});

describe('signOpg', () => {
  it('matches HMAC-SHA-256 computed independently from the profile text', () => {
    const independent = createHmac('sha256', Buffer.from(secretText, 'utf8'))
      .update(['app-7f3a', 'POST', '/opg/surveys?x=1', '1767225600', 'n-5d1c9e', Buffer.from(body).toString('base64')].join(''))
      .digest('base64');
    const signed = signOpg(request);
    expect(signed.signature).toBe(independent);
    expect(signed.header).toBe(`X-OPG-Signature app-7f3a:${independent}:n-5d1c9e:1767225600`);
  });

  it('matches HMAC-SHA-1 for the legacy profile', () => {
    const independent = createHmac('sha1', secret).update(canonicalString('opg-sha256', request)).digest('base64');
    expect(signOpg({ ...request, profile: 'opg-sha1-legacy' }).signature).toBe(independent);
  });

  it('accepts a profile given as data', () => {
    expect(signOpg({ ...request, profile: HMAC_PROFILES['opg-sha256'] }).signature).toBe(signOpg(request).signature);
  });

  it('refuses an AppId or nonce that would break the colon-separated header', () => {
    expect(() => signOpg({ ...request, nonce: 'a:b' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
    expect(() => signOpg({ ...request, appId: '' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
  });
});

describe('parseOpgHeader', () => {
  const header = signOpg(request).header;

  it('reads the four fields', () => {
    expect(parseOpgHeader(header)).toEqual({
      appId: 'app-7f3a',
      signature: signOpg(request).signature,
      nonce: 'n-5d1c9e',
      timestamp: 1767225600,
      timestampText: '1767225600',
    });
  });

  it('accepts the header line with its name and any case of the scheme', () => {
    expect(parseOpgHeader(`Authorization: ${header.replace('X-OPG-Signature', 'x-opg-signature')}`).appId).toBe('app-7f3a');
  });

  it.each([
    ['another scheme', 'Bearer abc', /not an X-OPG-Signature header/],
    ['three fields', 'X-OPG-Signature app:c2ln:nonce', /expected 4 colon-separated fields.*found 3/],
    ['an empty nonce', 'X-OPG-Signature app:c2lnbg==::1767225600', /Nonce field is empty/],
    ['a signature that is not padded Base64', 'X-OPG-Signature app:c2ln_bg:n:1767225600', /not standard padded Base64/],
    ['a timestamp that is not seconds', 'X-OPG-Signature app:c2lnbg==:n:2026-01-01', /not a UNIX time/],
    ['an oversized header', `X-OPG-Signature ${'a'.repeat(9000)}`, /at most 8192/],
  ])('refuses %s with a clear reason', (_name, value, reason) => {
    expect(() => parseOpgHeader(value)).toThrow(expect.objectContaining({ code: 'ERR_HMAC_MALFORMED', message: expect.stringMatching(reason) }));
  });
});

describe('verifyOpg', () => {
  const { header } = signOpg(request);
  const verify = (overrides: Partial<Parameters<typeof verifyOpg>[0]> = {}) =>
    verifyOpg({ profile: 'opg-sha256', parsed: parseOpgHeader(header), secret, method: 'POST', uri: '/opg/surveys?x=1', body, ...overrides });

  it('accepts the signature it made, with the canonical string', () => {
    expect(verify()).toEqual({ signatureValid: true, canonical: canonicalString('opg-sha256', request), skewSec: null, problems: [] });
  });

  it('rejects the wrong secret, method, URI, body or profile', () => {
    expect(verify({ secret: Buffer.from('another secret') }).signatureValid).toBe(false);
    expect(verify({ method: 'PUT' }).signatureValid).toBe(false);
    expect(verify({ uri: '/opg/surveys?x=2' }).signatureValid).toBe(false);
    expect(verify({ body: new TextEncoder().encode('{}') }).signatureValid).toBe(false);
    expect(verify({ profile: 'opg-sha1-legacy' }).signatureValid).toBe(false);
  });

  it('detects a change to any character of the header\'s credentials', () => {
    // The scheme name is case-insensitive (RFC 9110 §11.1) and not signed: every character after it is.
    for (let index = 'X-OPG-Signature '.length; index < header.length; index += 1) {
      const replacement = header[index] === 'A' ? 'B' : 'A';
      const tampered = `${header.slice(0, index)}${replacement}${header.slice(index + 1)}`;
      let detected: boolean;
      try {
        detected = !verify({ parsed: parseOpgHeader(tampered) }).signatureValid;
      } catch (error) {
        detected = (error as { code?: string }).code === 'ERR_HMAC_MALFORMED';
      }
      expect(detected, `character ${index} changed`).toBe(true);
    }
  });

  it('reports the skew and no problem inside the 5-minute window', () => {
    expect(verify({ now: at(1767225600 + 299) })).toMatchObject({ skewSec: 299, problems: [] });
    expect(verify({ now: at(1767225600 - 300) })).toMatchObject({ skewSec: -300, problems: [] });
  });

  it('reports clock-skew outside the window, either way', () => {
    expect(verify({ now: at(1767225600 + 301) })).toMatchObject({ signatureValid: true, skewSec: 301, problems: ['clock-skew'] });
    expect(verify({ now: at(1767225600 - 3600) }).problems).toEqual(['clock-skew']);
    expect(verify({ now: at(1767225600 + 90), windowSec: 60 }).problems).toEqual(['clock-skew']);
  });

  it('skips the skew check for callbacks', () => {
    expect(verify({ now: at(1767225600 + 86_400), isCallback: true })).toMatchObject({ signatureValid: true, problems: [] });
  });
});

describe('requestUriOf', () => {
  it('keeps path and query exactly as sent, without the scheme, host or fragment', () => {
    expect(requestUriOf('https://api.example:8443/opg/surveys?x=1&y=%2F#top')).toBe('/opg/surveys?x=1&y=%2F');
    expect(requestUriOf('https://api.example/a/../b')).toBe('/a/../b');
    expect(requestUriOf('https://api.example')).toBe('/');
    expect(requestUriOf('https://api.example?q=1')).toBe('/?q=1');
    expect(requestUriOf('/already/a/path?q')).toBe('/already/a/path?q');
    expect(() => requestUriOf('not a url')).toThrow(expect.objectContaining({ code: 'ERR_BAD_INPUT' }));
  });
});
