import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyCapture } from '../../../main/services/captures.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { updateSettings } from '../../../main/services/settings.ts';
import { signHmacRequest, verifyHmacRequest } from '../../../main/services/workbench/hmac.ts';
import { harText, writeCapture } from '../../support/capture.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// HMAC verification is status-aware as signatures are: a secret is judged as of when the request was made.
const MADE = '2026-03-01T10:00:00Z';
let store: TempStore;
beforeEach(async () => {
  store = await tempStore({ clock: () => new Date(MADE) });
  await generateKey(store.session, { type: 'hmac', appId: 'OPG-APP-1' });
});
afterEach(() => store.cleanup());

const request = { method: 'POST', uri: '/opg/surveys?x=1', body: Buffer.from('{"a":1}') };
const signedAt = (timestamp: string, uri = request.uri) => signHmacRequest(store.session, { ...request, uri, appId: 'OPG-APP-1', timestamp, nonce: 'n-1' }).value;

async function captured(header: string, startedAt: string, at?: string) {
  const har = harText([{ method: 'POST', url: `https://api.onepoint.test${request.uri}`, headers: { Authorization: header }, body: '{"a":1}', startedAt }]);
  const path = writeCapture(store.dir, 'opg.har', har);
  const [finding] = (await verifyCapture(store.session, { path, ...(at && { at }) })).findings.filter((each) => each.scheme === 'hmac-opg');
  return finding;
}

describe('a secret not yet active when the request was made', () => {
  const before = '2026-01-01T00:00:00Z';

  it('fails hmac verify at a moment before the secret was made', () => {
    const header = signedAt(before);
    expect(verifyHmacRequest(store.session, { ...request, header, now: before })).toMatchObject({
      verdict: 'invalid',
      detail: 'HMAC matches, but the secret was not yet active at 2026-01-01T00:00:00.000Z',
    });
  });

  it('fails the request in a capture judged at such a moment', async () => {
    expect(await captured(signedAt(before), before, before)).toMatchObject({ verdict: 'invalid', detail: 'HMAC matches, but the secret was not yet active at 2026-01-01T00:00:00.000Z' });
  });

  it('passes the same request once the secret is active', async () => {
    const header = signedAt(MADE);
    expect(verifyHmacRequest(store.session, { ...request, header, now: MADE })).toMatchObject({ verdict: 'valid' });
    expect(await captured(header, MADE)).toMatchObject({ verdict: 'valid' });
  });
});

describe('a request to a path that only starts like a callback path', () => {
  it('is checked for clock skew as any other request', () => {
    updateSettings(store.session, { inspection: { hmacCallbackPaths: ['/opg/callback'] } });
    const anHourLater = '2026-03-01T11:00:00Z';
    for (const [uri, verdict] of [['/opg/callback/done', 'valid'], ['/opg/callbackhijack', 'clock-skew'], ['/opg/callback/../admin', 'clock-skew']] as const) {
      const header = signedAt(MADE, uri);
      expect(verifyHmacRequest(store.session, { ...request, uri, header, now: anHourLater }).verdict, uri).toBe(verdict);
    }
  });
});
