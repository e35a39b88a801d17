import { toAuditView } from './key-records.ts';
import type { Session } from './session.ts';
import type { AuditChainView, AuditEntryView, DeletedKeyView } from './views.ts';

export function listAudit(session: Session, input: { key?: string; limit?: number; offset?: number } = {}): AuditEntryView[] {
  // A deleted key is still named in history: by its id, or by the kid its deletion row recorded.
  const keyId = input.key === undefined ? undefined : (session.keys.get(input.key) ?? session.keys.byKid(input.key))?.id ?? deletedKeys(session).find((key) => key.kid === input.key)?.keyId ?? input.key;
  return session.audit
    .list({ ...(keyId !== undefined && { keyId }), ...(input.limit !== undefined && { limit: input.limit }), ...(input.offset !== undefined && { offset: input.offset }) })
    .map(toAuditView);
}

export function verifyAudit(session: Session): AuditChainView {
  return session.audit.verify();
}

export function deletedKeys(session: Session): DeletedKeyView[] {
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return session.audit.deletedKeys().map((row) => ({ keyId: row.keyId, kid: text(row.detail['kid']), name: text(row.detail['name']), deletedAt: row.deletedAt.toISOString() }));
}
