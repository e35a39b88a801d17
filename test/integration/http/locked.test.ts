import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../main/adapters/http/server.ts';
import { generateKey } from '../../../main/services/keys.ts';
import { tempStore, TEST_PASSPHRASE, type TempStore } from '../../support/store.ts';
import { fakeRenderer, rawRequest } from './support.ts';

// The console's API once the keystore is locked (by hand or after the idle time): reads answer, changes are refused.
let store: TempStore;
let server: RunningServer;
let keyId: string;

beforeAll(async () => {
  store = await tempStore();
  keyId = (await generateKey(store.session, { type: 'ec', name: 'merchant' })).id;
  server = await startServer({ session: store.session, rendererDir: fakeRenderer(store.dir).rendererDir });
});
afterAll(async () => {
  await server.close();
  store.cleanup();
});

async function api(method: string, input: unknown = {}): Promise<{ status: number; body: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  const response = await rawRequest({ port: server.port, method: 'POST', path: `/api/${method}`, headers: { 'Content-Type': 'application/json', 'X-Signet-Token': server.token }, body: JSON.stringify(input) });
  return { status: response.status, body: JSON.parse(response.body) };
}

describe('a locked console', () => {
  it('refuses to delete a key with ERR_LOCKED (403), and the key stays', async () => {
    expect((await api('keystore.lock')).status).toBe(200);
    const deleted = await api('keys.delete', { ref: keyId });
    expect(deleted.status).toBe(403);
    expect(deleted.body.error).toEqual({ code: 'ERR_LOCKED', message: 'the keystore is locked: unlock it with its passphrase' });
    expect(store.session.keys.get(keyId)).toBeDefined();
  });

  it('refuses settings, revocation and API keys, and still answers reads', async () => {
    expect((await api('keystore.lock')).status).toBe(200);
    const auditRows = store.session.audit.list().length;
    expect((await api('settings.update', { policy: { keyExpiry: '10y' } })).body.error?.code).toBe('ERR_LOCKED');
    expect((await api('keys.revoke', { ref: keyId, reason: 'x' })).body.error?.code).toBe('ERR_LOCKED');
    expect((await api('apikeys.add', { header: 'X-Api-Key', value: 'k-0123456789', name: 'live' })).body.error?.code).toBe('ERR_LOCKED');
    expect(store.session.audit.list()).toHaveLength(auditRows);
    for (const read of ['keystore.status', 'keys.list', 'settings.get', 'audit.verify', 'notifications.unreadCount']) expect((await api(read)).status).toBe(200);
  });

  it('deletes the key once unlocked again', async () => {
    expect((await api('keystore.unlock', { passphrase: TEST_PASSPHRASE })).status).toBe(200);
    expect((await api('keys.delete', { ref: keyId })).status).toBe(200);
    expect(store.session.keys.get(keyId)).toBeUndefined();
  });
});
