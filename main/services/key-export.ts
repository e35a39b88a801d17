import { SignetError } from '../core/errors.ts';
import {
  certificateToPem,
  createCsr,
  csrToPem,
  describeCertificate,
  exportEncryptedPrivateKey,
  exportJwks,
  exportPkcs12,
  exportPrivateKey,
  exportPublicKey,
  exportSecretJwk,
  usableFrom,
  selfSignCertificate,
} from '../core/keys/index.ts';
import { addDuration, parseDuration } from '../core/time.ts';
import type { KeyRecord } from '../store/keys.ts';
import { assertCertifiable, certificateAudit, refuseSelfSignedOverIssued } from './key-certificates.ts';
import { asymmetricOf, privateKeyOf, publicKeyOf, resolveKey, secretOf, toKeyView } from './key-records.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';
import type { Artifact, CertificateInfo, KeyView } from './views.ts';

export type ExportFormat = 'pem' | 'der' | 'jwk' | 'jwks' | 'p12' | 'cert';

const MIME: Record<ExportFormat, string> = {
  pem: 'application/x-pem-file',
  der: 'application/pkix-cert',
  jwk: 'application/jwk+json',
  jwks: 'application/jwk-set+json',
  p12: 'application/x-pkcs12',
  cert: 'application/x-pem-file',
};

function artifact(fileName: string, format: ExportFormat, bytes: Buffer): Artifact {
  return { fileName, mimeType: MIME[format], contentBase64: bytes.toString('base64'), text: format !== 'der' && format !== 'p12' };
}

/**
 * The start of an exported file's name: the kid (the internal id when the kid is long) in characters
 * every file system takes, never starting with "-" (read as an option on a command line) or "." (hidden).
 */
function fileBase(record: KeyRecord): string {
  const base = (record.kid.length <= 48 ? record.kid : record.id).replace(/[^\w.-]/g, '_');
  return /^[-.]/.test(base) ? `key${base}` : base;
}

function jwkMeta(record: KeyRecord) {
  return { kid: record.kid, ...(record.alg && { alg: record.alg }), ...(record.use && { use: record.use }) };
}

export interface ExportInput {
  ref: string;
  part: 'public' | 'private';
  format: ExportFormat;
  /** Private exports only: required for PKCS#12, and makes PEM or DER an encrypted PKCS#8 key. */
  password?: string;
}

/**
 * Public parts export freely. Private material leaves only when asked for by name, with the keystore
 * unlocked, and every such export is written to the audit log.
 */
export async function exportKey(session: Session, input: ExportInput): Promise<Artifact> {
  const record = resolveKey(session, input.ref);
  const base = fileBase(record);
  const { password } = input;
  if (input.part === 'public') {
    if (password !== undefined) throw new SignetError('ERR_BAD_INPUT', 'a password protects private exports only; a public part is written in clear');
    return exportPublic(record, input.format, base);
  }

  if (input.format === 'jwks' || input.format === 'cert') throw new SignetError('ERR_BAD_INPUT', `--private exports as pem, der, jwk or p12, not ${input.format}`);
  // Writing the key in clear when a password was given would leave the user believing it is protected.
  if (password !== undefined && input.format === 'jwk') throw new SignetError('ERR_BAD_INPUT', 'a JWK cannot be protected by a password: export as pem, der or p12 with it, or as a JWK without it');
  if (password !== undefined && password.length < 8) throw new SignetError('ERR_BAD_INPUT', 'an export password needs at least 8 characters');
  let bytes: Buffer;
  if (record.type === 'hmac') {
    if (input.format !== 'jwk') throw new SignetError('ERR_BAD_INPUT', 'an HMAC secret exports only as a JWK (--format jwk)');
    const secret = secretOf(session, record);
    bytes = exportSecretJwk(secret, jwkMeta(record));
    secret.fill(0);
  } else if (input.format === 'p12') {
    if (password === undefined) throw new SignetError('ERR_BAD_INPUT', 'a PKCS#12 export needs a password of at least 8 characters (it protects the private key in the file)');
    // A PKCS#12 file pairs a key with its certificate, and an X25519 key cannot sign one for itself.
    if (!record.certificateDer && record.type === 'x25519') throw new SignetError('ERR_BAD_INPUT', 'an X25519 key has no certificate to put in a PKCS#12 file: export it as pem (encrypted with a password) or jwk');
    const certificates = record.certificateDer ? [record.certificateDer, ...record.chain] : [await transientCertificate(session, record)];
    bytes = await exportPkcs12({ privateKey: privateKeyOf(session, record), certificates, password, friendlyName: record.name });
  } else if (password === undefined || input.format === 'jwk') {
    bytes = exportPrivateKey(privateKeyOf(session, record), input.format, jwkMeta(record));
  } else {
    bytes = await exportEncryptedPrivateKey(privateKeyOf(session, record), input.format, password);
  }
  session.transaction(() => {
    session.audit.append('key.exported-private', record.id, { kid: record.kid, format: input.format, encrypted: password !== undefined }, session.clock());
  });
  return artifact(`${base}.private.${input.format === 'pem' ? 'key.pem' : input.format}`, input.format, bytes);
}

function exportPublic(record: KeyRecord, format: ExportFormat, base: string): Artifact {
  if (record.type === 'hmac') throw new SignetError('ERR_KEY_UNSUITABLE', `${record.kid} is an HMAC secret: it has no public part (export it with --private --format jwk)`);
  const publicKey = publicKeyOf(record);
  switch (format) {
    case 'jwks':
      return artifact(`${base}.jwks.json`, format, exportJwks([{ publicKey, ...jwkMeta(record) }]));
    case 'cert':
      if (!record.certificateDer) throw new SignetError('ERR_NOT_FOUND', `key ${record.kid} has no certificate (make one with "signet cert self-sign")`);
      return artifact(`${base}.crt.pem`, format, certificateToPem([record.certificateDer, ...record.chain]));
    case 'p12':
      throw new SignetError('ERR_BAD_INPUT', 'PKCS#12 holds a private key: use --private --format p12');
    default:
      return artifact(`${base}.public.${format === 'jwk' ? 'jwk.json' : format}`, format, exportPublicKey(publicKey, format, jwkMeta(record)));
  }
}

/** PKCS#12 needs a certificate; a key without one travels with a short-lived self-signed one. */
async function transientCertificate(session: Session, record: KeyRecord): Promise<Buffer> {
  const now = session.clock();
  return selfSignCertificate({
    key: asymmetricOf(session, record, true),
    ...(record.use && { use: record.use }),
    subject: `CN=${record.name.replace(/[,+="<>#;\\]/g, ' ')}`,
    notBefore: now,
    notAfter: record.expiresAt ?? addDuration(now, parseDuration('1y')),
  });
}

export interface CertificateInput {
  ref: string;
  subject: string;
  sans?: string[];
  usage?: 'client' | 'server' | 'signing';
}

/** When the key stops being usable: its expiry, or a revocation scheduled before it. Null: never. */
function usableUntil(record: KeyRecord): Date | null {
  const ends = [record.expiresAt, record.status === 'revoked' ? record.revokedAt : null].filter((end) => end !== null);
  return ends.length === 0 ? null : new Date(Math.min(...ends.map((end) => end.getTime())));
}

/**
 * Makes a self-signed certificate for a held key and attaches it. The certificate fits inside the key's
 * lifetime, not the other way round: the key keeps its start, so what it signed before stays valid, and
 * its expiry, so a certificate cannot revive or extend it. Only a key without an expiry takes the
 * certificate's.
 */
export async function selfSign(session: Session, input: CertificateInput & { days?: number; replace?: boolean }): Promise<{ key: KeyView; certificate: CertificateInfo; artifact: Artifact }> {
  const now = session.clock();
  const record = resolveKey(session, input.ref);
  assertCertifiable(record, now);
  if (input.replace !== true) refuseSelfSignedOverIssued(record, 'if that is what you want: tick "Replace the certificate issued by …"');
  // A pending key's certificate starts with the key.
  const notBefore = usableFrom(record, now);
  const keyEnd = usableUntil(record);
  const requested = input.days !== undefined
    ? addDuration(notBefore, { amount: input.days, unit: 'd' })
    : (keyEnd ?? addDuration(notBefore, parseDuration(readSettings(session).policy.keyExpiry)));
  const der = await selfSignCertificate({
    key: asymmetricOf(session, record, true),
    ...(record.use && { use: record.use }),
    subject: input.subject,
    ...(input.sans && { sans: input.sans }),
    ...(input.usage && { keyUsage: input.usage }),
    notBefore,
    notAfter: keyEnd && keyEnd < requested ? keyEnd : requested,
  });
  const certificate = describeCertificate(der);
  const expiresAt = record.expiresAt ?? new Date(certificate.notAfter);
  session.transaction(() => {
    session.keys.setCertificate(record.id, der, [], record.notBefore, expiresAt);
    session.audit.append('key.certificate-added', record.id, certificateAudit(record, certificate, expiresAt), now);
  });
  const updated = resolveKey(session, record.id);
  return { key: toKeyView(session, updated, now), certificate, artifact: artifact(`${fileBase(record)}.crt.pem`, 'cert', certificateToPem([der])) };
}

/** A PKCS#10 request for a held key, e.g. for a partner CA issuing two-way TLS client certificates. */
export async function certificateRequest(session: Session, input: CertificateInput): Promise<Artifact> {
  const record = resolveKey(session, input.ref);
  assertCertifiable(record, session.clock());
  const der = await createCsr({
    key: asymmetricOf(session, record, true),
    ...(record.use && { use: record.use }),
    subject: input.subject,
    ...(input.sans && { sans: input.sans }),
    ...(input.usage && { keyUsage: input.usage }),
  });
  session.transaction(() => {
    session.audit.append('key.csr-created', record.id, { kid: record.kid, subject: input.subject }, session.clock());
  });
  return { fileName: `${fileBase(record)}.csr.pem`, mimeType: 'application/pkcs10', contentBase64: csrToPem(der).toString('base64'), text: true };
}
