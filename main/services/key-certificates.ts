import { SignetError } from '../core/errors.ts';
import { checkValidityOrder, describeCertificate } from '../core/keys/certificates.ts';
import { keyStatusAt, usableFrom } from '../core/keys/lifecycle.ts';
import type { CertificateInfo, ParsedKey } from '../core/keys/types.ts';
import type { KeyRecord } from '../store/keys.ts';
import type { Session } from './session.ts';

// A certificate arriving for a key already held: the CSR → CA → install flow of two-way TLS (partner 001).

/** A revoked or expired key gets no new certificate or request: either would carry it past its end. */
export function assertCertifiable(record: KeyRecord, now: Date): void {
  const status = keyStatusAt(record, now);
  if (status === 'revoked') {
    throw new SignetError('ERR_POLICY', `key ${record.id} is revoked: ${record.revocationReason ?? 'unspecified'} (since ${record.revokedAt?.toISOString() ?? 'an unknown time'})`);
  }
  if (status === 'expired') {
    throw new SignetError('ERR_POLICY', `key ${record.id} expired at ${record.expiresAt?.toISOString() ?? 'an unknown time'}: it gets no new certificate; generate a replacement key`);
  }
}

/** What the audit log says when a key gets a certificate: which one, the one it replaced, and the key's expiry after. */
export function certificateAudit(record: KeyRecord, certificate: CertificateInfo, keyExpiresAt: Date): Record<string, unknown> {
  const replaced = record.certificateDer ? describeCertificate(record.certificateDer) : undefined;
  return {
    kid: record.kid,
    subject: certificate.subject,
    issuer: certificate.issuer,
    serial: certificate.serial,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    keyExpiresAt: keyExpiresAt.toISOString(),
    ...(replaced && { replaced: { subject: replaced.subject, issuer: replaced.issuer, serial: replaced.serial } }),
  };
}

/**
 * The certificate a CA issued for a key, if it holds one: it took a request and a wait to get, TLS peers
 * may trust only it, and the key is not used past it. A self-signed one (chain or not) is simply made again.
 */
export function issuedCertificate(record: KeyRecord): CertificateInfo | undefined {
  if (!record.certificateDer) return undefined;
  const certificate = describeCertificate(record.certificateDer);
  return certificate.selfSigned ? undefined : certificate;
}

/**
 * A self-signed certificate (which drops the chain) replaces one a CA issued only when asked to: refused
 * otherwise, `how` saying where to ask (the console's place; the CLI's flag is the same everywhere).
 */
export function refuseSelfSignedOverIssued(record: KeyRecord, how: string): void {
  const held = issuedCertificate(record);
  if (!held) return;
  const chain = record.chain.length > 0 ? ` (with ${record.chain.length} chain certificate${record.chain.length === 1 ? '' : 's'})` : '';
  throw new SignetError('ERR_POLICY', `key "${record.name}" holds a certificate issued by ${held.issuer}${chain}: a self-signed one would replace it (${how}; signet cert self-sign ${record.kid} --replace)`);
}

/** The held key an imported key's certificate belongs to (same public key), if there is one. */
export function heldKeyFor(session: Session, thumbprint: string): KeyRecord | undefined {
  const held = session.keys.byThumbprint(thumbprint);
  if (held.length > 1) {
    throw new SignetError('ERR_KEY_AMBIGUOUS', `the certificate's key is held as ${held.length} keys (${held.map((record) => record.id).join(', ')}): delete the copies, then import it again`);
  }
  return held[0];
}

/**
 * Attaches the certificates of an imported key (leaf first, then its chain) to the held key with the same
 * public key, which keeps its id, labels, start and history. A key whose certificate has ended cannot be
 * used for TLS, and reminders follow the key's expiry: so the key ends no later than its certificate (as
 * a generated key with --cert does), a certificate ending later does not extend it, and a key without an
 * expiry takes the certificate's.
 */
export function attachCertificate(session: Session, record: KeyRecord, key: ParsedKey, now: Date): void {
  const [leaf, ...chain] = key.certificates;
  if (!leaf) throw new SignetError('ERR_INTERNAL', 'no certificate to attach');
  assertCertifiable(record, now);
  if (key.privateKey && !record.privateSealed) {
    throw new SignetError('ERR_BAD_INPUT', `key ${record.id} is held without its private part: delete it, then import the file again to keep the key and its certificate`);
  }
  const sameChain = record.chain.length === chain.length && record.chain.every((der, index) => chain[index]?.equals(der));
  if (record.certificateDer?.equals(leaf) && sameChain) throw new SignetError('ERR_KEY_EXISTS', `key ${record.id} already holds this certificate`);
  const certificate = describeCertificate(leaf);
  if (certificate.selfSigned) refuseSelfSignedOverIssued(record, 'to do that: Keys › Self-sign, "Replace the certificate issued by …"');
  checkValidityOrder(certificate);
  const notAfter = new Date(certificate.notAfter);
  if (notAfter <= now) throw new SignetError('ERR_CERT', `the certificate for key ${record.id} expired at ${certificate.notAfter}: nothing was attached`);
  // A pending key may take a certificate that starts with it; an active one would be left without a valid one.
  if (new Date(certificate.notBefore) > usableFrom(record, now)) {
    throw new SignetError('ERR_CERT', `the certificate for key ${record.id} is valid only from ${certificate.notBefore}: import it then, or the key holds no valid certificate until that time`);
  }
  const expiresAt = record.expiresAt && record.expiresAt < notAfter ? record.expiresAt : notAfter;
  session.keys.setCertificate(record.id, leaf, chain, record.notBefore, expiresAt);
  session.audit.append('key.certificate-added', record.id, { ...certificateAudit(record, certificate, expiresAt), chain: chain.length }, now);
}
