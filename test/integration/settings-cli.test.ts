import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../main/services/settings.ts';
import { signet } from '../support/cli.ts';
import { tempStore, type TempStore } from '../support/store.ts';

// `signet settings show|set` through the real CLI, on a real keystore file.
let store: TempStore;
const run = (args: string[]) => signet(args, { store: store.path });
const settingsNow = async () => (await run(['settings', 'show', '--json'])).json<Settings>();
const auditRows = async () => (await run(['audit', 'list', '--json'])).json<{ action: string; detail: Record<string, unknown> }[]>();

beforeAll(async () => {
  store = await tempStore();
  store.session.close();
});
afterAll(() => store.cleanup());

describe('signet settings show', () => {
  it('prints every setting as GROUP.NAME and its value, strings bare and the rest as JSON', async () => {
    const result = await run(['settings', 'show']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SETTING +VALUE$/);
    const rows = Object.fromEntries(lines.slice(1).map((line) => line.split(/ {2,}/)));
    const expected = Object.entries(DEFAULT_SETTINGS).flatMap(([group, values]) => Object.keys(values).map((name) => `${group}.${name}`));
    expect(Object.keys(rows)).toEqual(expected);
    expect(rows).toMatchObject({ 'inspection.hmacProfile': 'opg-sha256', 'inspection.signatureHeaders': '["Signature","X-JWS-Signature"]', 'policy.expiringSoonDays': '30' });
  });

  it('prints the settings as one JSON document with --json, defaults filled in', async () => {
    expect(await settingsNow()).toEqual(DEFAULT_SETTINGS);
  });
});

describe('signet settings set', () => {
  it('switches the HMAC profile, says what it was, and audits the change', async () => {
    const result = await run(['settings', 'set', 'inspection.hmacProfile', 'opg-sha1-legacy']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe('inspection.hmacProfile is now opg-sha1-legacy (was opg-sha256)');
    expect((await settingsNow()).inspection.hmacProfile).toBe('opg-sha1-legacy');
    expect((await auditRows())[0]).toMatchObject({ action: 'settings.changed', detail: { changed: ['inspection.hmacProfile'] } });
  });

  it('reads a value that parses as JSON as JSON: a list of hosts, a number', async () => {
    expect((await run(['settings', 'set', 'inspection.signedRequestHosts', '["api.klix.example"]'])).code).toBe(0);
    const json = await run(['settings', 'set', 'inspection.clockToleranceSec', '120', '--json']);
    expect(json.code).toBe(0);
    expect(json.json<Settings>().inspection).toMatchObject({ signedRequestHosts: ['api.klix.example'], clockToleranceSec: 120 });
  });

  it('refuses an unknown setting with one line and exit 2, changing nothing', async () => {
    const before = await settingsNow();
    const audited = (await auditRows()).length;
    for (const key of ['inspection.hmacProfle', 'inspection', 'policy.keyExpiry.extra', 'toString.x']) {
      const result = await run(['settings', 'set', key, 'opg-sha1-legacy']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`signet settings set: unknown setting "${key}": a setting is GROUP.NAME, e.g. inspection.hmacProfile (signet settings show lists them)\n`);
    }
    expect(await settingsNow()).toEqual(before);
    expect(await auditRows()).toHaveLength(audited);
  });

  it('refuses an invalid value in the schema’s words with exit 2, changing nothing', async () => {
    const before = await settingsNow();
    const refusals: [string, string, string][] = [
      ['inspection.hmacProfile', 'opg-sha3', 'inspection.hmacProfile must be one of "opg-sha256", "opg-sha1-legacy"'],
      ['inspection.apiKeyHeaders', '["X Api Key"]', 'inspection.apiKeyHeaders.0 must be an HTTP header name'],
      ['inspection.hmacCallbackPaths', '["callbacks/"]', 'inspection.hmacCallbackPaths.0 must start with "/"'],
      ['limits.headerBytes', '10', 'limits.headerBytes must be at least 1024'],
      ['policy.hmacDefaultExpiry', '2y', 'policy.hmacDefaultExpiry: the default validity of HMAC secrets cannot be longer than their maximum'],
    ];
    for (const [key, value, message] of refusals) {
      const result = await run(['settings', 'set', key, value]);
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    expect(await settingsNow()).toEqual(before);
  });

  it('prints a refusal as one JSON error document with --json', async () => {
    const result = await run(['settings', 'set', 'console.autoLockMinutes', 'soon', '--json']);
    expect(result.code).toBe(2);
    expect(result.json()).toEqual({ error: { code: 'ERR_BAD_INPUT', message: 'console.autoLockMinutes must be a number' } });
  });

  it('asks for KEY and VALUE', async () => {
    const result = await run(['settings', 'set', 'inspection.hmacProfile']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected KEY VALUE');
  });
});
