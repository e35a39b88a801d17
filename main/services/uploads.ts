import { randomBytes } from 'node:crypto';
import { createWriteStream, lstatSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SignetError } from '../core/errors.ts';
import { leftByDeadProcesses } from './processes.ts';

/**
 * Files the browser-mode console sends (a dropped capture), and captures piped to the command line:
 * streamed to a private temporary folder, never held in memory, then read by path like any other file.
 * An upload is named by an id, never by a path, so a request cannot point the server at an arbitrary file.
 */
const UPLOAD_ID = /^u_[0-9a-f]{24}$/;
const PREFIX = 'signet-uploads-';

export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

// Made by mkdtemp: a new folder of ours, 0700, under a name no other user can guess and create first
// (a folder made in advance by someone else would let them swap the captures in it).
let folder: Promise<string> | undefined;
// Gone when the process exits as well, however it does (`… | head` exits at once with 141): it holds
// credentials in clear, and the next sweep may be long in coming.
const uploadFolder = (): Promise<string> =>
  (folder ??= mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`)).then((path) => {
    process.once('exit', () => rmSync(path, { recursive: true, force: true }));
    return path;
  }));

export async function saveUpload(body: Readable, limit = MAX_UPLOAD_BYTES): Promise<{ uploadId: string; bytes: number }> {
  const uploadId = `u_${randomBytes(12).toString('hex')}`;
  const bytes = await spool(body, join(await uploadFolder(), uploadId), { limit, what: 'the upload' });
  return { uploadId, bytes };
}

/**
 * A capture piped to the command line, copied to a file named `stdin` (the name an import then stores)
 * in this process's upload folder: reading a capture needs its size, looks at its start twice and hands
 * parts of it to worker threads, none of which a pipe allows. Bound as an upload is: both fill the same
 * temporary disk. Gone with the folder (removeUploads), or with the next sweep if the process was killed.
 */
export async function saveStdin(input: Readable, options: { signal?: AbortSignal; limit?: number } = {}): Promise<string> {
  const path = join(await uploadFolder(), 'stdin');
  await spool(input, path, { limit: options.limit ?? MAX_UPLOAD_BYTES, what: 'the capture on standard input', ...(options.signal && { signal: options.signal }) });
  return path;
}

const MIB = 1024 * 1024;

/** Streams `body` to a new file of ours (0600), never held in memory, stopping as soon as it passes `limit` bytes. */
async function spool(body: Readable, path: string, { limit, what, signal }: { limit: number; what: string; signal?: AbortSignal }): Promise<number> {
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit) body.destroy(new SignetError('ERR_TOO_LARGE', `${what} is larger than ${Math.round(limit / MIB)} MiB, the most Signet copies to a temporary file`));
  });
  try {
    await pipeline(body, createWriteStream(path, { mode: 0o600, flags: 'wx' }), { ...(signal && { signal }) });
  } catch (error) {
    await rm(path, { force: true });
    if (signal?.aborted) throw new SignetError('ERR_CANCELLED', `reading ${what} was cancelled`);
    throw error instanceof SignetError ? error : new SignetError('ERR_UNREADABLE', `${what} was interrupted`);
  }
  return bytes;
}

export function checkUploadId(uploadId: string): string {
  if (!UPLOAD_ID.test(uploadId)) throw new SignetError('ERR_BAD_INPUT', 'not an upload id');
  return uploadId;
}

export async function uploadPath(uploadId: string): Promise<string> {
  return join(await uploadFolder(), checkUploadId(uploadId));
}

export async function discardUpload(uploadId: string): Promise<void> {
  await rm(await uploadPath(uploadId), { force: true });
}

/**
 * Uploads hold captures with credentials in clear: all of this process's go when its server (or command)
 * stops, and folders left by processes that were killed go at the next start (ours only, their process gone).
 */
export async function removeUploads(): Promise<void> {
  const made = folder;
  folder = undefined;
  if (made) await rm(await made, { recursive: true, force: true });
}

const UPLOAD_FOLDER = new RegExp(`^${PREFIX}(\\d+)(?:-[A-Za-z0-9]+)?$`);

export function sweepStaleUploads(): void {
  for (const path of leftByDeadProcesses(tmpdir(), UPLOAD_FOLDER)) {
    try {
      const info = lstatSync(path);
      if (info.isDirectory() && info.uid === process.getuid?.()) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to read: nothing to do.
    }
  }
}
