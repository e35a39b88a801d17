import type { JsonWebKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptFor } from '../../../main/core/jose/encrypt.ts';
import { createEphemeral, decryptEphemeral } from '../../../main/services/workbench/ephemeral.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// An ephemeral session's key decrypts one response. Only the cryptography may spend it: a paste refused
// on its header alone must leave the key for the real response.
let store: TempStore;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

const create = (type: 'ec' | 'rsa' = 'ec') => createEphemeral(store.session, { type });
const decrypt = (id: string, token: string) => decryptEphemeral(store.session, { id, token });

/** The same JWE under another protected header: the refusals read the header before any cryptography. */
function withHeader(jwe: string, change: Record<string, unknown>): string {
  const [header = '', ...rest] = jwe.split('.');
  const changed = { ...(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>), ...change };
  return [Buffer.from(JSON.stringify(changed)).toString('base64url'), ...rest].join('.');
}

describe('a JWE refused on its header keeps the session key', () => {
  it('keeps the key of an EC session when the JWE was made for an RSA one, and decrypts the right JWE after', async () => {
    const ec = await create('ec');
    const rsa = await create('rsa');
    const forRsa = await encryptFor({ ...rsa.publicJwk, kid: undefined } as JsonWebKey, 'for the RSA session');
    await expect(decrypt(ec.id, forRsa)).rejects.toMatchObject({ message: expect.stringMatching(/does not fit this EC key.*session .* keeps its key/) });
    expect(store.session.ephemeral.get(ec.id)?.destroyedAt).toBeNull();
    const opened = await decrypt(ec.id, await encryptFor(ec.publicJwk as JsonWebKey, 'for the EC session'));
    expect(opened.plaintext).toMatchObject({ text: 'for the EC session' });
  });

  it('keeps the key when the kid names another ephemeral session', async () => {
    const mine = await create();
    const other = await create();
    const forOther = await encryptFor(other.publicJwk as JsonWebKey, 'for the other session');
    await expect(decrypt(mine.id, forOther)).rejects.toMatchObject({ code: 'ERR_KEY_UNSUITABLE', message: expect.stringContaining(`names kid "${other.id}", another ephemeral session`) });
    expect(store.session.ephemeral.get(mine.id)?.destroyedAt).toBeNull();
    expect((await decrypt(other.id, forOther)).plaintext).toMatchObject({ text: 'for the other session' });
  });

  it.each([
    ['zip', { zip: 'DEF' }, /compressed JWE refused/],
    ['crit', { crit: ['exp'], exp: 1 }, /"crit" names/],
    ['an enc it does not know', { enc: 'A128CTR' }, /enc "A128CTR" is not allowed/],
  ])('keeps the key for a header with %s', async (_name, change, reason) => {
    const session = await create();
    const jwe = await encryptFor(session.publicJwk as JsonWebKey, 'the real response');
    await expect(decrypt(session.id, withHeader(jwe, change))).rejects.toMatchObject({ message: expect.stringMatching(reason) });
    expect(store.session.ephemeral.get(session.id)?.destroyedAt).toBeNull();
    expect((await decrypt(session.id, jwe)).plaintext).toMatchObject({ text: 'the real response' });
  });
});

describe('a JWE that fails to decrypt spends the key', () => {
  it('says plainly that the key was used and destroyed, and later never that it decrypted its response', async () => {
    const session = await create();
    const jwe = await encryptFor(session.publicJwk as JsonWebKey, 'the real response');
    const [header, key, iv, ciphertext = '', tag] = jwe.split('.');
    const altered = [header, key, iv, `${ciphertext.startsWith('A') ? 'B' : 'A'}${ciphertext.slice(1)}`, tag].join('.');
    await expect(decrypt(session.id, altered)).rejects.toMatchObject({ code: 'ERR_DECRYPT_FAILED', message: expect.stringMatching(/^decryption failed: the session key was used and destroyed/) });
    expect(store.session.ephemeral.get(session.id)).toMatchObject({ destroyedWhy: 'used', privateSealed: null });
    const later = await decrypt(session.id, jwe).catch((error: unknown) => error);
    expect(later).toMatchObject({ code: 'ERR_SESSION_DESTROYED', message: expect.stringContaining('its key was used by an earlier decryption') });
    expect((later as Error).message).not.toContain('already decrypted');
  });
});

describe('time to live', () => {
  it.each(['0m', '0s', '0h'])('refuses a TTL of %s: the session would be born expired', async (ttl) => {
    await expect(createEphemeral(store.session, { ttl })).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringMatching(/TTL longer than zero/) });
    expect(store.session.ephemeral.list()).toEqual([]);
  });
});
