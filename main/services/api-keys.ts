import { randomBytes } from 'node:crypto';
import { SignetError } from '../core/errors.ts';
import { apiKeyHash } from './key-resolver.ts';
import type { Session } from './session.ts';
import { HEADER_NAME, readSettings } from './settings.ts';
import type { ApiKeyView } from './views.ts';

/** Registers an API key so traffic can be matched to it; only a salted hash and the last four are kept. */
export function addApiKey(session: Session, input: { header: string; value: string; name?: string }): ApiKeyView {
  const header = input.header.trim();
  // Registered headers are looked for in every capture (apiKeyHeaders below): they must be header names.
  if (!HEADER_NAME.test(header)) throw new SignetError('ERR_BAD_INPUT', `the header ${JSON.stringify(header.slice(0, 100))} is not an HTTP header name (a name has no spaces, colon or quotes)`);
  const value = input.value.trim();
  if (value.length < 8) throw new SignetError('ERR_BAD_INPUT', 'an API key shorter than 8 characters is not worth storing: is the value cut short?');
  if (value.length > 4096) throw new SignetError('ERR_TOO_LARGE', 'the API key is longer than 4096 characters: is this the right file?');
  const hash = apiKeyHash(session, value);
  const existing = session.apiKeys.byHash(hash);
  if (existing) throw new SignetError('ERR_KEY_EXISTS', `this API key is already stored as "${existing.name}" (${existing.id})`);
  const record = { id: `a_${randomBytes(6).toString('hex')}`, name: input.name?.trim() || `${header} …${value.slice(-4)}`, header, hash, last4: value.slice(-4), createdAt: session.clock() };
  session.transaction(() => {
    session.apiKeys.insert(record);
    session.audit.append('apikey.added', null, { apiKeyId: record.id, name: record.name, header: record.header, last4: record.last4 }, record.createdAt);
  });
  return toView(record);
}

function toView(record: { id: string; name: string; header: string; last4: string; createdAt: Date }): ApiKeyView {
  return { id: record.id, name: record.name, header: record.header, last4: record.last4, createdAt: record.createdAt.toISOString() };
}

/**
 * The headers that carry API keys, for inspection, stored captures and the sanitized export: the
 * setting's, and the one each stored key was registered for (`apikey add --header X-Partner-Key` must be
 * found, and kept and exported as its last four only).
 */
export function apiKeyHeaders(session: Session): string[] {
  const byName = new Map<string, string>();
  for (const name of [...readSettings(session).inspection.apiKeyHeaders, ...session.apiKeys.headers()]) {
    if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), name);
  }
  return [...byName.values()];
}

export function listApiKeys(session: Session): ApiKeyView[] {
  return session.apiKeys.list().map(toView);
}

export function deleteApiKey(session: Session, id: string): { id: string } {
  const record = session.apiKeys.get(id);
  if (!record) throw new SignetError('ERR_NOT_FOUND', `no API key "${id}" (signet apikey list shows them)`);
  session.transaction(() => {
    session.apiKeys.delete(id);
    session.audit.append('apikey.deleted', null, { apiKeyId: id, name: record.name }, session.clock());
  });
  return { id };
}
