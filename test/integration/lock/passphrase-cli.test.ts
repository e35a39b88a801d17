import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import type { NotificationRunView } from '../../../main/services/notification-views.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';
import { keystoreState } from './support.ts';

// A change to the keystore needs its passphrase: a wrong one, or none to be had, changes nothing.
let store: TempStore;
let keyId: string;

beforeEach(async () => {
  store = await tempStore();
  keyId = (await generateKey(store.session, { type: 'hmac', appId: 'OPG-APP-1' })).id;
  store.session.close();
});
afterEach(() => store.cleanup());

const changes = [
  ['keys delete', () => ['keys', 'delete', keyId]],
  ['keys revoke', () => ['keys', 'revoke', keyId, '--reason', 'key compromise']],
  ['keys renew', () => ['keys', 'renew', keyId, '--expires', '6mo']],
  ['settings set', () => ['settings', 'set', 'policy.keyExpiry', '10y']],
] as const;

describe('a change to the keystore', () => {
  it.each(changes)('%s with a wrong passphrase exits 2 with ERR_BAD_PASSPHRASE and changes nothing', async (_name, args) => {
    const before = await keystoreState(store.path);
    const result = await signet([...args(), '--json'], { store: store.path, env: { SIGNET_PASSPHRASE: 'not the passphrase' } });
    expect(result.code).toBe(2);
    expect(result.json()).toMatchObject({ error: { code: 'ERR_BAD_PASSPHRASE' } });
    expect(result.stderr).toMatch(/wrong passphrase \(nothing was changed\)/);
    expect(await keystoreState(store.path)).toEqual(before);
  });

  it.each(changes)('%s with no passphrase to be had (no terminal) exits 2 saying why it needs one and how to give it, and changes nothing', async (name, args) => {
    const before = await keystoreState(store.path);
    const result = await signet([...args(), '--json'], { store: store.path, env: { SIGNET_PASSPHRASE: undefined } });
    expect(result.code).toBe(2);
    expect(result.json()).toMatchObject({ error: { code: 'ERR_PASSPHRASE_REQUIRED' } });
    expect(result.stderr).toContain(`"signet ${name}" changes the keystore, so a passphrase is needed`);
    expect(result.stderr).toMatch(/SIGNET_PASSPHRASE or use --passphrase-file/);
    expect(await keystoreState(store.path)).toEqual(before);
  });

  it.each(changes)('%s with the right passphrase is made and audited', async (_name, args) => {
    const before = await keystoreState(store.path);
    const result = await signet(args(), { store: store.path });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const after = (await keystoreState(store.path)) as { audit: unknown[] };
    expect(after).not.toEqual(before);
    expect(after.audit).toHaveLength((before as { audit: unknown[] }).audit.length + 1);
  });
});

describe('a read', () => {
  it('lists and shows keys with no passphrase at all', async () => {
    const env = { SIGNET_PASSPHRASE: undefined };
    const listed = await signet(['keys', 'list', '--json'], { store: store.path, env });
    expect(listed.code).toBe(0);
    expect(listed.json<{ id: string }[]>().map((key) => key.id)).toEqual([keyId]);
    expect((await signet(['keys', 'show', 'OPG-APP-1'], { store: store.path, env })).code).toBe(0);
    expect((await signet(['audit', 'verify'], { store: store.path, env })).code).toBe(0);
  });

  it('lets notify run record and send what is due with no passphrase, as cron does while no channel credential is stored', async () => {
    const run = await signet(['notify', 'run', '--json'], { store: store.path, env: { SIGNET_PASSPHRASE: undefined } });
    expect(run.code).toBe(0);
    expect(run.json<NotificationRunView>()).toMatchObject({ created: [{ event: 'key.created' }], failed: [] });
  });
});
