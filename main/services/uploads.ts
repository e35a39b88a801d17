import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SignetError } from '../core/errors.ts';

/**
 * Files the browser-mode console sends (a dropped capture): streamed to a private temporary folder,
 * never held in memory, then imported by path like any other file. An upload is named by an id, never
 * by a path, so a request cannot point the server at an arbitrary file.
 */
const UPLOAD_ID = /^u_[0-9a-f]{24}$/;
const folder = join(tmpdir(), `signet-uploads-${process.pid}`);

export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

export async function saveUpload(body: Readable, limit = MAX_UPLOAD_BYTES): Promise<{ uploadId: string; bytes: number }> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const uploadId = `u_${randomBytes(12).toString('hex')}`;
  const path = join(folder, uploadId);
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit) body.destroy(new SignetError('ERR_TOO_LARGE', `the upload is larger than ${limit} bytes`));
  });
  try {
    await pipeline(body, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  } catch (error) {
    await rm(path, { force: true });
    throw error instanceof SignetError ? error : new SignetError('ERR_UNREADABLE', 'the upload was interrupted');
  }
  return { uploadId, bytes };
}

export function uploadPath(uploadId: string): string {
  if (!UPLOAD_ID.test(uploadId)) throw new SignetError('ERR_BAD_INPUT', 'not an upload id');
  return join(folder, uploadId);
}

export async function discardUpload(uploadId: string): Promise<void> {
  await rm(uploadPath(uploadId), { force: true });
}
