import type { AuditEntryView, DeletedKeyView } from '../../../main/services/views.ts';
import { formatDateTime } from './format.ts';

// How audit rows read: a label for each action, and the row's detail as short "name: value" pairs.

const ACTION_LABELS: Record<string, string> = {
  'keystore.init': 'Keystore created',
  'keystore.passphrase-changed': 'Passphrase changed',
  'keystore.backup-written': 'Backup written',
  'keystore.restored': 'Restored from a backup',
  'settings.changed': 'Settings changed',
  'key.created': 'Key created',
  'key.imported': 'Key imported',
  'key.activated': 'Key activated',
  'key.renewed': 'Key renewed',
  'key.revoked': 'Key revoked',
  'key.deleted': 'Key deleted',
  'key.exported-private': 'Private part exported',
  'key.certificate-added': 'Certificate added',
  'key.csr-created': 'CSR created',
  'capture.imported': 'Capture imported',
  'capture.exported': 'Capture exported (sanitized)',
  'capture.deleted': 'Capture deleted',
  'apikey.added': 'API key added',
  'apikey.deleted': 'API key deleted',
  'ephemeral.created': 'Ephemeral key created',
  'ephemeral.destroyed': 'Ephemeral key destroyed',
  'agreement.started': 'Key agreement started',
  'agreement.answered': 'Key agreement answered',
  'agreement.finished': 'Key agreement finished',
  'notifications.config-changed': 'Notification settings changed',
  'notifications.webhook-secret-exported': 'Webhook secret exported',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return formatDateTime(value);
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  // A nested record (the certificate a new one replaced) reads as its own "name value" pairs, not JSON.
  if (typeof value === 'object') return Object.entries(value).map(([name, inner]) => `${name} ${valueText(inner)}`).join(', ');
  return String(value);
}

export function detailPairs(detail: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(detail).map(([name, value]) => ({ name, value: valueText(value) }));
}

/** "Old signer (Xr3k…), deleted": how a key no longer in the keystore is offered as a filter. */
export function deletedKeyLabel(key: DeletedKeyView): string {
  const kid = (key.kid ?? key.keyId).slice(0, 16);
  return key.name ? `${key.name} (${kid}), deleted` : `${kid}, deleted`;
}
