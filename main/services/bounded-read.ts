import { open, type FileHandle } from 'node:fs/promises';
import { SignetError } from '../core/errors.ts';
import { describeFsError } from './fs-errors.ts';

/**
 * Reading what a user names (a key file, a token, a plaintext) within a limit. A regular file is refused
 * by its size before any of it is read; a pipe or a device has no size (/dev/zero never ends), so it is
 * read until what came passes the limit.
 */

const MIB = 1024 * 1024;

/** `what` (e.g. "key file x.pem") is larger than the limit, said in MiB. */
export const tooLarge = (what: string, limit: number): SignetError => new SignetError('ERR_TOO_LARGE', `${what} is larger than ${limit >= MIB ? `${limit / MIB} MiB` : `${limit} bytes`}`);

export async function readAtMost(source: AsyncIterable<Buffer>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw tooLarge(what, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The file at `path`, of at most `limit` bytes; `what` names it in errors ("key file x.pem"). */
export async function readFileAtMost(path: string, limit: number, what: string): Promise<Buffer> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const info = await file.stat();
    if (info.isFile() && info.size > limit) throw tooLarge(what, limit);
    return await readAtMost(file.createReadStream({ autoClose: false }), limit, what);
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_UNREADABLE', `cannot read ${what}: ${describeFsError(error)}`);
  } finally {
    await file?.close();
  }
}
