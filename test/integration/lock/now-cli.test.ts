import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import type { NotificationsDueView, NotificationView } from '../../../main/services/notification-views.ts';
import type { KeyView } from '../../../main/services/views.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { keystoreState } from './support.ts';

// --now moves the moment a command evaluates at; it never moves the moment a change is recorded.
const LATER = '2038-02-28T12:00:00Z';
let store: TempStore;
let keyId: string;

beforeEach(async () => {
  store = await tempStore();
  keyId = (await generateKey(store.session, { type: 'ec', name: 'merchant', expires: '1y' })).id;
  store.session.close();
});
afterEach(() => store.cleanup());

const run = (args: string[]) => signet(args, { store: store.path, env: { SIGNET_NEW_PASSPHRASE: 'another long passphrase' } });
const notices = async () => (await run(['notify', 'list', '--json'])).json<NotificationView[]>();

describe('--now on a command that changes the keystore', () => {
  it.each([
    ['keys generate', () => ['keys', 'generate', '--type', 'hmac', '--app-id', 'OPG-APP-9']],
    ['keys revoke', () => ['keys', 'revoke', keyId, '--reason', 'superseded']],
    ['keys delete', () => ['keys', 'delete', keyId]],
    ['settings set', () => ['settings', 'set', 'policy.expiringSoonDays', '45']],
    ['notify config set', () => ['notify', 'config', 'set', '--reminder-days', '60,7']],
    ['passphrase change', () => ['passphrase', 'change']],
    // Listing destroys the sessions whose TTL has passed: at a later --now, live ones.
    ['ephemeral list', () => ['ephemeral', 'list']],
  ])('%s is refused with exit 2, and nothing is written', async (name, args) => {
    const before = await keystoreState(store.path);
    const result = await run([...args(), '--now', LATER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`signet ${name}: --now only evaluates at another moment, and "signet ${name}" changes the keystore, which happens at the real time: run it without --now\n`);
    expect(await keystoreState(store.path)).toEqual(before);
  });

  it('refuses a private export, which would add an audit row stamped then, and writes no file', async () => {
    const before = await keystoreState(store.path);
    const out = join(store.dir, 'merchant.pem');
    const result = await run(['keys', 'export', keyId, '--private', '--format', 'pem', '--out', out, '--now', LATER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--now only evaluates at another moment: this would add to the audit log/);
    expect(existsSync(out)).toBe(false);
    expect(await keystoreState(store.path)).toEqual(before);
  });

  it('refuses notify run, which would use up the reminders due then, and points to notify due', async () => {
    const before = await keystoreState(store.path);
    const result = await run(['notify', 'run', '--now', LATER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'signet notify run: --now only evaluates at another moment, and "signet notify run" changes the keystore, which happens at the real time: run it without --now, or see what is due then with "signet notify due --now TIME"\n',
    );
    expect(await keystoreState(store.path)).toEqual(before);
    expect(await notices()).toEqual([]);
  });
});

describe('--now on capture verify', () => {
  it('points at --at, which moves the moment every exchange is judged at, rather than be ignored', async () => {
    const har = join(store.dir, 'empty.har');
    writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [] } }));
    const result = await run(['capture', 'verify', har, '--now', LATER]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: 'signet capture verify: capture verify judges each exchange at the time it was sent: to judge them all at one moment, use --at TIME, not --now\n' });
  });
});

describe('--now on a command that evaluates', () => {
  it('shows key statuses as they will be then, changing nothing', async () => {
    const before = await keystoreState(store.path);
    const listed = await run(['keys', 'list', '--json', '--now', LATER]);
    expect(listed.code).toBe(0);
    expect(listed.json<KeyView[]>()).toMatchObject([{ id: keyId, status: 'expired' }]);
    expect(await keystoreState(store.path)).toEqual(before);
  });

  it('lets notify due show what a run would record then, changing nothing', async () => {
    const before = await keystoreState(store.path);
    const result = await run(['notify', 'due', '--json', '--now', LATER]);
    expect(result.code).toBe(0);
    expect(result.json<NotificationsDueView>()).toMatchObject({ at: '2038-02-28T12:00:00.000Z', due: [{ event: 'key.created' }, { event: 'key.expired' }] });
    expect(await keystoreState(store.path)).toEqual(before);
    expect(await notices()).toEqual([]);
  });
});
