import type { AuditEntryView, CertificateInfo, KeyDetail, KeyView } from '../../services/views.ts';

// Human output. Plain text, aligned columns, dates as YYYY-MM-DD: what fits a terminal.

/** "1 key", "2 keys". */
export const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => oneLine(row[column] ?? '').length)));
  return [tableLine(headers, widths), ...rows.map((row) => tableLine(row, widths))].join('\n');
}

/**
 * One line of a table with these column widths (a longer cell pushes the rest of its line only). A
 * line break or tab inside a cell (a kid or a name from an imported file) is shown escaped: it must
 * not start a row of its own that could pass for a real one.
 */
export function tableLine(cells: string[], widths: number[]): string {
  return cells.map((cell, column) => oneLine(cell).padEnd(widths[column] ?? 0)).join('  ').trimEnd();
}

const oneLine = (cell: string): string => cell.replace(/[\r\n\t]/g, (char) => (char === '\n' ? '\\n' : char === '\r' ? '\\r' : '\\t'));

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '-');

function keyKind(key: KeyView): string {
  if (key.type === 'rsa') return `RSA-${key.size ?? '?'}`;
  if (key.type === 'ec') return `EC ${key.curve ?? ''}`.trim();
  if (key.type === 'hmac') return 'HMAC';
  return key.type === 'ed25519' ? 'Ed25519' : 'X25519';
}

function statusText(key: KeyView): string {
  return key.expiringSoon ? `${key.status} (expiring soon)` : key.status;
}

export function keyTable(keys: KeyView[]): string {
  if (keys.length === 0) return 'No keys.';
  return table(
    ['ID', 'KID', 'NAME', 'OWNER', 'TYPE', 'ALG', 'PRIVATE', 'STATUS', 'EXPIRES'],
    keys.map((key) => [
      key.id,
      key.kid.length > 24 ? `${key.kid.slice(0, 21)}...` : key.kid,
      key.name,
      key.owner || '-',
      keyKind(key),
      key.alg ?? '-',
      key.hasPrivate ? 'yes' : 'no',
      statusText(key),
      day(key.expiresAt),
    ]),
  );
}

export function certificateLines(certificate: CertificateInfo, indent = '  '): string[] {
  return [
    `${indent}subject      ${certificate.subject}`,
    `${indent}issuer       ${certificate.issuer}${certificate.selfSigned ? ' (self-signed)' : ''}`,
    `${indent}serial       ${certificate.serial}`,
    `${indent}valid        ${certificate.notBefore} .. ${certificate.notAfter}`,
    `${indent}sha256       ${certificate.sha256}`,
    ...(certificate.subjectAltNames.length ? [`${indent}alt names    ${certificate.subjectAltNames.join(', ')}`] : []),
  ];
}

export function keySummary(key: KeyView): string {
  const lines = [
    `${key.name}  [${statusText(key)}]`,
    `  id           ${key.id}`,
    `  kid          ${key.kid}`,
    `  type         ${keyKind(key)}${key.appId ? `  AppId ${key.appId}` : ''}`,
    `  use / alg    ${key.use ?? '-'} / ${key.alg ?? '-'}${key.alg ? (key.algPinned ? ' (this algorithm only)' : ' (by default; others of its type allowed)') : ''}`,
    `  owner        ${key.owner || '-'}${key.environment ? `  (${key.environment})` : ''}`,
    `  private part ${key.hasPrivate ? 'held (sealed)' : 'not held (verification key)'}`,
    ...(key.thumbprint ? [`  thumbprint   ${key.thumbprint}`] : []),
    `  created      ${key.createdAt}`,
    // A key with no start (a partner's, imported) verifies what was signed before it was added.
    `  valid        ${key.notBefore ?? `no start (added ${key.createdAt})`} .. ${key.expiresAt ?? 'no expiry'}`,
    ...(key.revokedAt ? [`  revoked      ${key.revokedAt} (${key.revocationReason ?? 'no reason'})`] : []),
  ];
  if (key.certificate) lines.push('  certificate', ...certificateLines(key.certificate, '    '));
  return lines.join('\n');
}

export function keyDetail(detail: KeyDetail): string {
  const parts = [keySummary(detail)];
  if (detail.publicJwk) parts.push(`\nPublic JWK\n${JSON.stringify(detail.publicJwk, null, 2)}`);
  if (detail.publicPem) parts.push(`\nPublic PEM\n${detail.publicPem.trimEnd()}`);
  if (detail.audit.length) parts.push(`\nHistory\n${auditTable(detail.audit)}`);
  return parts.join('\n');
}

export function auditTable(entries: AuditEntryView[]): string {
  if (entries.length === 0) return 'No audit entries.';
  return table(
    ['SEQ', 'AT', 'ACTION', 'KEY', 'DETAIL'],
    entries.map((entry) => [String(entry.seq), entry.at, entry.action, entry.keyId ?? '-', compactDetail(entry.detail)]),
  );
}

function compactDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}
