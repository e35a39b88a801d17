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
