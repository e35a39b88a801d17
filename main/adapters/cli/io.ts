import { constants } from 'node:fs';
import { access, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SignetError } from '../../core/errors.ts';
import { readAtMost, readFileAtMost } from '../../services/bounded-read.ts';
import { describeFsError } from '../../services/fs-errors.ts';
import { removeUploads, saveStdin, sweepStaleUploads } from '../../services/uploads.ts';
import type { Artifact } from '../../services/views.ts';

const MAX_INPUT = 64 * 1024 * 1024;

/** A file argument, or standard input for "-", of at most `limit` bytes (see services/bounded-read.ts). */
export async function readInput(path: string, what: string, limit = MAX_INPUT): Promise<Buffer> {
  return path === '-' ? readAtMost(process.stdin, limit, `${what} on standard input`) : readFileAtMost(path, limit, `${what} ${path}`);
}

/**
 * The capture file for `use`: "-" is standard input, copied to a private temporary file first (a capture
 * is read by path) and removed when `use` ends, however it ends; `signal` (Ctrl+C) stops the copy too.
 * A terminal there is refused at once: nothing was piped, and waiting would look like a hang. `before`
 * runs ahead of the copy, so that a keystore that cannot open fails before a gigabyte is copied.
 */
export async function withCaptureFile<T>(path: string, { signal, before }: { signal: AbortSignal; before: () => Promise<void> }, use: (file: string) => Promise<T>): Promise<T> {
  if (path === '-' && process.stdin.isTTY) throw new SignetError('ERR_BAD_INPUT', 'no capture is piped to standard input: pipe one into the command, or give its file instead of "-"');
  await before();
  if (path !== '-') return use(path);
  sweepStaleUploads();
  try {
    return await use(await saveStdin(process.stdin, { signal }));
  } finally {
    await removeUploads();
  }
}

/**
 * A secret kept in a text file: its first line, without the line ending. Bytes that are not text
 * (binary, or not UTF-8) are refused rather than quietly changed into another secret, and so is a
 * file with more than one line of content, which is not a secret's shape.
 */
export async function readSecretFile(path: string, what: string): Promise<string> {
  const bytes = await readInput(path, what);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '\u0000';
  }
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new SignetError('ERR_BAD_INPUT', `${what} ${path} is not text: give the secret as one line of text (for raw bytes, their base64 or hex as the partner issued it)`);
  }
  const [firstLine = '', ...rest] = text.split(/\r?\n/);
  if (rest.some((line) => line.trim() !== '')) throw new SignetError('ERR_BAD_INPUT', `${what} ${path} has more than one line: it should hold the secret alone`);
  if (!firstLine) throw new SignetError('ERR_BAD_INPUT', `${what} ${path} is empty`);
  return firstLine;
}

/** Writes to a temporary name first and renames, so a failed write never leaves half a file. */
export async function writeOutput(path: string, bytes: Buffer, mode = 0o644): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    throw new SignetError('ERR_UNREADABLE', `cannot write ${path}: ${describeFsError(error)}`);
  }
}

/**
 * Refuses an --out that could not be written, before the artifact is made: a private export is audited
 * when it is made, and a refused one must leave no record of a key that never left. A private export
 * never replaces an existing file unless asked to (`replace`, --force): the file there may be another
 * key, and a key written over is lost.
 */
export async function checkDestination(path: string, replace: boolean): Promise<void> {
  if (!replace && (await stat(path).then(() => true, () => false))) {
    throw new SignetError('ERR_BAD_INPUT', `${path} already exists (choose another name, or pass --force to replace it)`);
  }
  const folder = dirname(path);
  let problem: string | undefined;
  try {
    if ((await stat(folder)).isDirectory()) await access(folder, constants.W_OK);
    else problem = `${folder} is not a folder`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    problem = code === 'ENOENT' || code === 'ENOTDIR' ? `there is no folder ${folder}` : describeFsError(error);
  }
  if (problem) throw new SignetError('ERR_UNREADABLE', `cannot write ${path}: ${problem}`);
}

/** An artifact to --out (checked again: the file may have appeared meanwhile), or stdout. */
export async function emitArtifact(artifact: Artifact, out: string | undefined, private_: boolean, force = false): Promise<void> {
  const bytes = Buffer.from(artifact.contentBase64, 'base64');
  if (out) {
    await checkDestination(out, !private_ || force);
    return writeOutput(out, bytes, private_ ? 0o600 : 0o644);
  }
  if (!artifact.text && process.stdout.isTTY) {
    throw new SignetError('ERR_BAD_INPUT', `${artifact.fileName} is binary: write it to a file with --out FILE`);
  }
  process.stdout.write(bytes);
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new SignetError('ERR_PASSPHRASE_REQUIRED', 'a passphrase is needed: set SIGNET_PASSPHRASE or use --passphrase-file FILE'));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(() => resolve(answer));
        if (char === '\u0003') return finish(() => reject(new SignetError('ERR_CANCELLED', 'cancelled')));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    const finish = (then: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}
