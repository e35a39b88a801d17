import type { CertificateInfo } from '../core/keys/certificate-info.ts';
import { SignetError } from '../core/errors.ts';
import { daysUntilExpiry, keyStatusAt } from '../core/keys/lifecycle.ts';
import { parseExpiry } from '../core/time.ts';
import type { KeyFilter, KeyRecord, KeySummary } from '../store/keys.ts';
import type { Session } from './session.ts';
import { readSettings } from './settings.ts';
import type { KeyStatus, KeyView } from './views.ts';

// Keys shaped for output, without the certificate reader (@peculiar/x509, the largest module a key
// command loads): the list API loads it only when a listed key has a certificate (issue 7, start-up).

export type DescribeCertificate = (der: Uint8Array) => CertificateInfo;

export function keyView(record: KeyRecord | KeySummary, at: Date, soonDays: number, describeCertificate: DescribeCertificate): KeyView {
  const status = keyStatusAt(record, at);
  const days = daysUntilExpiry(record.expiresAt, at);
  return {
    id: record.id,
    kid: record.kid,
    name: record.name,
    owner: record.owner,
    environment: record.environment,
    type: record.type,
    size: record.size,
    curve: record.curve,
    alg: record.alg,
    algPinned: record.algPinned,
    use: record.use,
    status,
    expiringSoon: status === 'active' && days !== null && days < soonDays,
    source: record.source,
    appId: record.appId,
    createdAt: record.createdAt.toISOString(),
    notBefore: record.notBefore?.toISOString() ?? null,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    revocationReason: record.revocationReason,
    hasPrivate: 'hasPrivate' in record ? record.hasPrivate : record.privateSealed !== null,
    thumbprint: record.thumbprint,
    ...(record.certificateDer && { certificate: describeCertificate(record.certificateDer) }),
  };
}

export interface ListInput extends KeyFilter {
  status?: KeyStatus;
  expiringSoon?: boolean;
  at?: string;
}

const noCertificates: DescribeCertificate = () => {
  throw new SignetError('ERR_INTERNAL', 'a certificate was shaped without the certificate reader');
};

/**
 * `keys.list`, settings read once per list, not once per key. The certificate reader is loaded only
 * for a list that shows a certificate.
 */
export async function listKeys(session: Session, input: ListInput = {}): Promise<KeyView[]> {
  const at = input.at ? parseExpiry(input.at, session.clock()) : session.clock();
  const { status, expiringSoon, at: _at, ...filter } = input;
  const summaries = session.keys.summaries(filter);
  const soonDays = readSettings(session).policy.expiringSoonDays;
  const describe = summaries.some((summary) => summary.certificateDer !== null) ? (await import('../core/keys/certificates.ts')).describeCertificate : noCertificates;
  return summaries.map((summary) => keyView(summary, at, soonDays, describe)).filter((view) => (status === undefined || view.status === status) && (!expiringSoon || view.expiringSoon));
}
