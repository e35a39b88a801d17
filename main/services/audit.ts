import { toAuditView } from './key-records.ts';
import type { Session } from './session.ts';
import type { AuditChainView, AuditEntryView } from './views.ts';

export function listAudit(session: Session, input: { key?: string; limit?: number; offset?: number } = {}): AuditEntryView[] {
  // A deleted key is still named by its id in history, so fall back to the raw reference.
  const keyId = input.key === undefined ? undefined : (session.keys.get(input.key) ?? session.keys.byKid(input.key))?.id ?? input.key;
  return session.audit
    .list({ ...(keyId !== undefined && { keyId }), ...(input.limit !== undefined && { limit: input.limit }), ...(input.offset !== undefined && { offset: input.offset }) })
    .map(toAuditView);
}

export function verifyAudit(session: Session): AuditChainView {
  return session.audit.verify();
}
