import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../../main/services/key-views.ts';
import { generateKey, importKeys, importSecret } from '../../../main/services/keys.ts';
import type { KeyView } from '../../../main/services/views.ts';
import { signet } from '../../support/cli.ts';
import { manualClock, tempStore, type TempStore } from '../../support/store.ts';

// A key is named by its id, its kid or its AppId alike: no new key may take a name another key answers to.
let store: TempStore;
let hmac: KeyView;
let ec: KeyView;
const clock = manualClock('2026-03-01T10:00:00Z');
const publicJwk = () => Buffer.from(JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })));
const secret = Buffer.from('0123456789abcdef0123456789abcdef');

beforeEach(async () => {
  store = await tempStore({ clock });
  hmac = await generateKey(store.session, { type: 'hmac', appId: 'APP1', kid: 'hmac-1' });
  ec = await generateKey(store.session, { type: 'ec', kid: 'ec-1' });
});
afterEach(() => store.cleanup());

const refused = (code: string, message: string) => expect.objectContaining({ code, message });

describe('a new kid', () => {
  it('may not be another key’s AppId', async () => {
    await expect(importKeys(store.session, { content: publicJwk(), kid: 'APP1' })).rejects.toEqual(
      refused('ERR_KEY_EXISTS', `the kid "APP1" is already in the keystore, as the AppId of ${hmac.id} ("HMAC APP1")`),
    );
    await expect(generateKey(store.session, { type: 'ec', kid: 'APP1' })).rejects.toMatchObject({ code: 'ERR_KEY_EXISTS' });
  });

  it('may not be another key’s kid', async () => {
    await expect(generateKey(store.session, { type: 'ec', kid: 'hmac-1' })).rejects.toEqual(
      refused('ERR_KEY_EXISTS', `the kid "hmac-1" is already in the keystore, as the kid of ${hmac.id} ("HMAC APP1")`),
    );
  });

  it('may not have the form of a key id, whether another key has that id or not', async () => {
    for (const kid of [ec.id, 'k_0123456789abcdef']) {
      await expect(generateKey(store.session, { type: 'ec', kid })).rejects.toEqual(
        refused('ERR_BAD_INPUT', `the kid "${kid}" has the form of a key id (k_ and 16 hex digits) and would be taken for one: give the key another kid`),
      );
    }
    await expect(importKeys(store.session, { content: publicJwk(), kid: ec.id })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT' });
  });
});

describe('a new AppId', () => {
  it('may not be another key’s kid or id', async () => {
    await expect(generateKey(store.session, { type: 'hmac', appId: 'ec-1', kid: 'hmac-2' })).rejects.toEqual(
      refused('ERR_KEY_EXISTS', `the AppId "ec-1" is already in the keystore, as the kid of ${ec.id} ("EC P-256")`),
    );
    expect(() => importSecret(store.session, { appId: 'ec-1', secret })).toThrow(expect.objectContaining({ code: 'ERR_KEY_EXISTS' }));
    await expect(generateKey(store.session, { type: 'hmac', appId: ec.id, kid: 'hmac-2' })).rejects.toEqual(
      refused('ERR_KEY_EXISTS', `the AppId "${ec.id}" is already in the keystore, as the id of ${ec.id} ("EC P-256")`),
    );
  });

  it('may not be another secret’s AppId', async () => {
    expect(() => importSecret(store.session, { appId: 'APP1', secret })).toThrow(
      refused('ERR_KEY_EXISTS', `the AppId "APP1" is already in the keystore, as the AppId of ${hmac.id} ("HMAC APP1")`),
    );
  });

  it('is free when no key answers to it, and so is its own kid', async () => {
    expect(importSecret(store.session, { appId: 'APP2', secret })).toMatchObject({ kid: 'APP2', appId: 'APP2' });
    expect(await generateKey(store.session, { type: 'hmac', appId: 'APP3', kid: 'hmac-3' })).toMatchObject({ kid: 'hmac-3', appId: 'APP3' });
  });
});

describe('refusals', () => {
  it('store nothing, and reach the CLI as one line with exit 2', async () => {
    await expect(generateKey(store.session, { type: 'ec', kid: 'APP1' })).rejects.toThrow();
    expect(await listKeys(store.session)).toHaveLength(2);
    store.session.close();
    const result = await signet(['keys', 'generate', '--type', 'ec', '--kid', 'APP1'], { store: store.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`signet keys generate: the kid "APP1" is already in the keystore, as the AppId of ${hmac.id} ("HMAC APP1")\n`);
  });
});
