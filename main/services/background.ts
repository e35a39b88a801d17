import { SignetError } from '../core/errors.ts';
import { importCapture } from './captures.ts';
import { generateKey, type GenerateInput } from './keys.ts';
import type { Session } from './session.ts';
import { checkUploadId, discardUpload, uploadPath } from './uploads.ts';
import type { JobView } from './views.ts';

// The long operations the console runs as jobs, with progress and cancel.

export function importCaptureJob(session: Session, input: { path?: string; uploadId?: string; name?: string; at?: string }): JobView {
  if ((input.path === undefined) === (input.uploadId === undefined)) throw new SignetError('ERR_BAD_INPUT', 'give the capture as a path or as an upload id');
  if (input.uploadId) checkUploadId(input.uploadId);
  return session.jobs.start(
    'capture.import',
    `Importing ${input.name ?? 'capture'}`,
    async ({ signal, progress }) => {
      try {
        return await importCapture(session, {
          path: input.uploadId ? await uploadPath(input.uploadId) : (input.path ?? ''),
          ...(input.name && { name: input.name }),
          ...(input.at && { at: input.at }),
          signal,
          onProgress: ({ bytesRead, totalBytes }) => progress(bytesRead, totalBytes, 'bytes'),
        });
      } finally {
        if (input.uploadId) await discardUpload(input.uploadId);
      }
    },
    session.clock,
  );
}

/**
 * Key generation as a job. Node generates on its thread pool, which cannot be interrupted; a cancelled
 * job therefore drops the key when generation returns, and nothing is stored.
 */
export function generateKeyJob(session: Session, input: GenerateInput): JobView {
  const label = `Generating ${input.type.toUpperCase()}${input.bits ? `-${input.bits}` : input.curve ? ` ${input.curve}` : ''}`;
  return session.jobs.start(
    'keys.generate',
    label,
    ({ signal }) => generateKey(session, input, signal),
    session.clock,
  );
}
