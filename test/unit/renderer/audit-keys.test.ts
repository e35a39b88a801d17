import { describe, expect, it } from 'vitest';
import { auditedKeys, deletedKeyLabel } from '../../../renderer/src/lib/audit-text.ts';
import type { AuditEntryView } from '../../../main/services/views.ts';

let seq = 0;
const row = (action: string, keyId: string | null, detail: Record<string, unknown>): AuditEntryView => ({ seq: ++seq, at: '2026-11-23T12:00:00.000Z', action, keyId, detail, hash: '0'.repeat(64) });

describe('keys named in the audit log', () => {
  it('names a deleted key as its deletion row did, newest rows first', () => {
    const keys = auditedKeys([
      row('key.deleted', 'k_1', { kid: 'Xr3kPq0-long-thumbprint-value', name: 'Old signer' }),
      row('key.revoked', 'k_1', { kid: 'Xr3kPq0-long-thumbprint-value' }),
      row('capture.imported', null, { name: 'merchant.har' }),
    ]);
    expect([...keys]).toEqual([['k_1', { name: 'Old signer', kid: 'Xr3kPq0-long-thumbprint-value' }]]);
    expect(deletedKeyLabel('k_1', keys.get('k_1') ?? { name: null, kid: null })).toBe('Old signer (Xr3kPq0-long-thu), deleted');
  });

  it('keeps what earlier pages told, filling in only what they lacked', () => {
    const first = auditedKeys([row('key.renewed', 'k_2', { kid: '-dash' })]);
    const both = auditedKeys([row('key.created', 'k_2', { kid: 'other', name: 'First name' })], first);
    expect(both.get('k_2')).toEqual({ name: 'First name', kid: '-dash' });
    expect(first.get('k_2')).toEqual({ name: null, kid: '-dash' });
  });

  it('falls back to the kid, then the internal id, for a key no row named', () => {
    expect(deletedKeyLabel('k_3', { name: null, kid: 'kid-only' })).toBe('kid-only, deleted');
    expect(deletedKeyLabel('k_3', { name: null, kid: null })).toBe('k_3, deleted');
  });
});
