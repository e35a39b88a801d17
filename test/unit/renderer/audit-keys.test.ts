import { describe, expect, it } from 'vitest';
import { deletedKeyLabel } from '../../../renderer/src/lib/audit-text.ts';

const deletedAt = '2026-11-23T12:00:00.000Z';

describe('deleted keys offered as an audit filter', () => {
  it('names a deleted key as its deletion row did, with the start of its kid', () => {
    expect(deletedKeyLabel({ keyId: 'k_1', kid: 'Xr3kPq0-long-thumbprint-value', name: 'Old signer', deletedAt })).toBe('Old signer (Xr3kPq0-long-thu), deleted');
  });

  it('falls back to the kid, then the internal id, for a key its row did not name', () => {
    expect(deletedKeyLabel({ keyId: 'k_3', kid: 'kid-only', name: null, deletedAt })).toBe('kid-only, deleted');
    expect(deletedKeyLabel({ keyId: 'k_3', kid: null, name: null, deletedAt })).toBe('k_3, deleted');
  });
});
