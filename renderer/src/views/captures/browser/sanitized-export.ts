import type { SanitizedDownload } from '../../../../../main/services/views.ts';
import { call } from '../../../lib/api.ts';
import { downloadArtifact } from '../../../lib/files.ts';

export type { SanitizedDownload };

/** Downloads the sanitized HAR of a capture; resolves with what it holds (the counts `signet capture export` prints). */
export async function downloadSanitized(captureId: string): Promise<SanitizedDownload> {
  const download = await call('captures.exportArtifact', { id: captureId });
  downloadArtifact(download);
  return download;
}

/** "Downloaded x.sanitized.har: 11 exchanges, credentials redacted." */
export function downloadedText(download: SanitizedDownload): string {
  return `Downloaded ${download.fileName}: ${download.exchanges.toLocaleString()} exchange${download.exchanges === 1 ? '' : 's'}, credentials redacted.`;
}

/** The warning to read before sending the file, or '' when nothing signed held a credential. */
export function keptSignedText(download: SanitizedDownload): string {
  const kept = download.keptSigned;
  if (kept === 0) return '';
  const places = download.keptSignedAt.slice(0, 5).map((at) => `#${at.exchange} ${at.direction} ${at.part}`).join(', ');
  return `${kept} signed part${kept === 1 ? '' : 's'} that look${kept === 1 ? 's' : ''} to hold a credential ${kept === 1 ? 'was' : 'were'} kept as captured, so the signature still verifies (${places}${kept > 5 ? ', …' : ''}): check the file before sending it.`;
}
