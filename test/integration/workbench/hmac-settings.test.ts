import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOpg, type HmacProfileId } from '../../../main/core/opg/hmac.ts';
import { resolveKey, secretOf } from '../../../main/services/key-records.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// `hmac sign|verify` follow the same settings as capture inspection: callback paths, HMAC profile.
let store: TempStore;
let secret: Buffer;
let secretId: string;
let bodyFile: string;
const BODY = '{"event":"done"}';
// The CLI judges the secret's status at --now, and the secret is made at the real time: sign from then on.
const TIMESTAMP = Math.floor(Date.now() / 1000);
/** An hour after the request was signed: far outside the 5-minute window. */
const AN_HOUR_LATER = new Date((TIMESTAMP + 3600) * 1000).toISOString();
const run = (args: string[]) => signet(args, { store: store.path });
const headerFor = (uri: string, profile: HmacProfileId = 'opg-sha256') =>
  signOpg({ profile, appId: 'OPG-APP-1', secret, method: 'POST', uri, body: Buffer.from(BODY), timestamp: TIMESTAMP, nonce: 'cb-1' }).header;
const verify = (header: string, uri: string) => run(['hmac', 'verify', '--header', header, '--method', 'POST', '--uri', uri, '--body', bodyFile, '--now', AN_HOUR_LATER, '--json']);

beforeAll(async () => {
  store = await tempStore();
  const key = await generateKey(store.session, { type: 'hmac', appId: 'OPG-APP-1' });
  secretId = key.id;
  secret = secretOf(store.session, resolveKey(store.session, key.id));
  store.session.close();
  bodyFile = join(store.dir, 'callback.json');
  writeFileSync(bodyFile, BODY);
  expect((await run(['settings', 'set', 'inspection.hmacCallbackPaths', '["/callbacks/"]'])).code).toBe(0);
}, 60_000);
afterAll(() => store.cleanup());

describe('hmac verify and the callback paths', () => {
  it('skips the skew check for a request to a callback path, as capture verify does', async () => {
    const result = await verify(headerFor('/callbacks/opg'), 'https://merchant.example/callbacks/opg');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ verdict: 'valid', detail: 'HMAC valid (opg-sha256, callback)' });
  });

  it('still reports clock skew outside the callback paths', async () => {
    const result = await verify(headerFor('/callbacksX/opg'), '/callbacksX/opg');
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ verdict: 'clock-skew' });
  });
});

describe('hmac verify on a profile mismatch', () => {
  it('suggests the SHA-1 profile when the MAC is 20 bytes', async () => {
    const result = await verify(headerFor('/callbacks/opg', 'opg-sha1-legacy'), '/callbacks/opg');
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({
      verdict: 'invalid',
      detail:
        'the HMAC does not match the canonical string of profile opg-sha256; the signature is 20 bytes, as HMAC-SHA-1 gives: ' +
        'is the partner on the opg-sha1-legacy profile? (Settings › Inspection › HMAC profile, or signet settings set inspection.hmacProfile opg-sha1-legacy)',
    });
  });

  it('verifies once the suggested profile is set', async () => {
    expect((await run(['settings', 'set', 'inspection.hmacProfile', 'opg-sha1-legacy'])).code).toBe(0);
    const result = await verify(headerFor('/callbacks/opg', 'opg-sha1-legacy'), '/callbacks/opg');
    expect(result.json()).toMatchObject({ verdict: 'valid', detail: 'HMAC valid (opg-sha1-legacy, callback)' });
    expect((await run(['settings', 'set', 'inspection.hmacProfile', 'opg-sha256'])).code).toBe(0);
  });
});

describe('hmac sign', () => {
  it('finds the secret by its AppId even where another key has that text as its kid (a store from before the check)', async () => {
    expect((await run(['keys', 'generate', '--type', 'ec', '--kid', 'older-kid'])).code).toBe(0);
    const raw = new Database(store.path);
    raw.prepare("UPDATE keys SET kid = 'hmac-kid' WHERE app_id = 'OPG-APP-1'").run();
    raw.prepare("UPDATE keys SET kid = 'OPG-APP-1' WHERE kid = 'older-kid'").run();
    raw.close();
    const result = await run(['hmac', 'sign', '--app', 'OPG-APP-1', '--method', 'POST', '--uri', '/callbacks/opg', '--body', bodyFile, '--timestamp', new Date(TIMESTAMP * 1000).toISOString(), '--nonce', 'cb-1']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe(`Authorization: ${headerFor('/callbacks/opg')}`);
  });

  it('names the key by AppId only: an id is refused', async () => {
    const result = await run(['hmac', 'sign', '--app', secretId, '--method', 'POST', '--uri', '/x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`signet hmac sign: no HMAC secret for AppId "${secretId}" in the keystore\n`);
  });
});
