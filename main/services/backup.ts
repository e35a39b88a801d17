import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  BACKUP_VERSION,
  DEFAULT_SEGMENT_BYTES,
  TAG_BYTES,
  deriveBackupKek,
  encodeHeader,
  headerReadBytes,
  newFileKey,
  openSegment,
  parseHeader,
  sealSegment,
  segmentCount,
  segmentPlainBytes,
  unwrapFileKey,
  type BackupHeader,
} from '../core/backup/format.ts';
import { SignetError } from '../core/errors.ts';
import { auditLog } from '../store/audit.ts';
import { copyOver, dropUnfinishedImports, foreignKeyProblems, integrityProblems, rowCount, snapshotTo, tableNames, vaultKdfParams } from '../store/backup.ts';
import { openDb, SCHEMA_VERSION, type Db } from '../store/db.ts';
import { DEFAULT_KDF, unlockVault, vaultExists } from '../store/vault.ts';
import { describeFsError } from './fs-errors.ts';
import { leftByDeadProcesses } from './processes.ts';
import type { Session } from './session.ts';

/**
 * `signet backup` and `signet restore`. A backup is an online SQLite snapshot sealed under the
 * keystore passphrase (format in core/backup/format.ts), written to a temporary name and renamed, so
 * a backup file is complete or absent. A restore authenticates every byte into a temporary file,
 * checks it as a keystore (integrity_check, schema, audit chain, passphrase), and only then copies it
 * over the live store in one SQLite transaction; any refusal leaves the current store as it was.
 */

export interface BackupView {
  path: string;
  bytes: number;
  createdAt: string;
  schemaVersion: number;
  keys: number;
  captures: number;
  auditRows: number;
}

/** Tables a snapshot must hold to be taken for a keystore (the first migration's, and the captures'). */
const REQUIRED_TABLES = ['meta', 'settings', 'keys', 'audit_log', 'captures'];

function fsFailure(action: string, path: string, error: unknown): SignetError {
  if (error instanceof SignetError) return error;
  return new SignetError('ERR_UNREADABLE', `cannot ${action} ${path}: ${describeFsError(error)}`);
}

/** A temporary file beside the store (same folder, same permissions), named so a later run can sweep it. */
function tempPath(storePath: string, purpose: 'backup' | 'restore'): string {
  return join(dirname(storePath), `.${basename(storePath)}.signet-${purpose}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /\.signet-(?:backup|restore)-(\d+)-[0-9a-f]{8}\.tmp(?:-wal|-shm|-journal)?$/;

/** Snapshots left by a run that was killed hold a copy of the store: remove them once their process is gone. */
export function sweepStaleTemporaries(storePath: string): void {
  for (const path of leftByDeadProcesses(dirname(storePath), TEMP_NAME)) {
    if (basename(path).startsWith(`.${basename(storePath)}.`)) rmSync(path, { force: true });
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

async function checkPassphrase(db: Db, passphrase: string, refusal?: string): Promise<void> {
  try {
    (await unlockVault(db, passphrase)).destroy();
  } catch (error) {
    if (refusal && error instanceof SignetError && error.code === 'ERR_BAD_PASSPHRASE') throw new SignetError('ERR_BAD_PASSPHRASE', refusal);
    throw error;
  }
}

export interface BackupInput {
  path: string;
  passphrase: string;
  overwrite?: boolean;
  /** Segment size of the sealed file (tests use small ones to get many segments). */
  segmentBytes?: number;
}

export async function backupKeystore(session: Session, input: BackupInput): Promise<BackupView> {
  if (!session.initialized) throw new SignetError('ERR_STORE_NOT_INITIALIZED', 'this keystore has no passphrase yet, so there is nothing to back up');
  // The backup opens with this passphrase: prove it is the keystore's before sealing anything under it.
  await checkPassphrase(session.db, input.passphrase);
  if (!input.overwrite && existsSync(input.path)) throw new SignetError('ERR_BAD_INPUT', `${input.path} already exists: choose another name, or allow replacing it (--force, or "Replace the file if it exists")`);
  sweepStaleTemporaries(session.path);
  const snapshot = tempPath(session.path, 'backup');
  const partial = `${input.path}.${process.pid}.tmp`;
  const createdAt = session.clock().toISOString();
  let bytes: number;
  try {
    await snapshotTo(session.db, snapshot).catch((error: unknown) => {
      throw fsFailure('snapshot the keystore into', dirname(session.path), error);
    });
    bytes = await sealFile(snapshot, partial, input.passphrase, vaultKdfParams(session.db) ?? DEFAULT_KDF, createdAt, input.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    await rename(partial, input.path).catch((error: unknown) => {
      throw fsFailure('write', input.path, error);
    });
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    removeDatabaseFiles(snapshot);
  }
  const view: BackupView = {
    path: input.path,
    bytes,
    createdAt,
    schemaVersion: SCHEMA_VERSION,
    keys: rowCount(session.db, 'keys'),
    captures: session.captures.list().length,
    auditRows: rowCount(session.db, 'audit_log'),
  };
  session.transaction(() => session.audit.append('keystore.backup-written', null, { file: basename(input.path), bytes, schemaVersion: SCHEMA_VERSION }, session.clock()));
  return view;
}

/** Seals the snapshot at `source` into a new file at `target` (written, then flushed to disk). */
async function sealFile(source: string, target: string, passphrase: string, params: { N: number; r: number; p: number }, createdAt: string, segmentBytes: number): Promise<number> {
  const plaintextBytes = (await stat(source)).size;
  const salt = randomBytes(16);
  const kek = await deriveBackupKek(passphrase, salt, params);
  const { fileKey, wrapIv, wrappedKey } = newFileKey(kek);
  kek.fill(0);
  const header: BackupHeader = {
    version: BACKUP_VERSION,
    kdf: 'scrypt',
    params: { N: params.N, r: params.r, p: params.p },
    salt: salt.toString('base64'),
    wrapIv,
    wrappedKey,
    segmentBytes,
    plaintextBytes,
    schemaVersion: SCHEMA_VERSION,
    createdAt,
  };
  const { prefix, headerBytes } = encodeHeader(header);
  let input: FileHandle | undefined;
  let output: FileHandle | undefined;
  try {
    input = await open(source, 'r');
    output = await open(target, 'wx', 0o600).catch((error: unknown) => {
      throw fsFailure('write', target, error);
    });
    let written = (await output.write(prefix)).bytesWritten;
    const count = segmentCount(plaintextBytes, segmentBytes);
    const chunk = Buffer.alloc(segmentBytes);
    for (let index = 0; index < count; index++) {
      const length = segmentPlainBytes(index, plaintextBytes, segmentBytes);
      const { bytesRead } = await input.read(chunk, 0, length, index * segmentBytes);
      if (bytesRead !== length) throw new SignetError('ERR_INTERNAL', 'the keystore snapshot changed while it was being sealed');
      written += (await output.write(sealSegment(fileKey, headerBytes, index, index === count - 1, chunk.subarray(0, length)))).bytesWritten;
    }
    chunk.fill(0);
    await output.sync();
    return written;
  } catch (error) {
    throw fsFailure('write', target, error);
  } finally {
    fileKey.fill(0);
    await input?.close();
    await output?.close();
  }
}

export interface RestoreInput {
  path: string;
  /** The passphrase the backup was sealed under (the keystore's when it was made). */
  passphrase: string;
  /** The current keystore's passphrase, when it differs: replacing a keystore needs its owner's consent. */
  currentPassphrase?: string;
}

export async function restoreKeystore(session: Session, input: RestoreInput): Promise<BackupView> {
  // Copying over the store takes its write lock across event-loop turns, and an import on this thread
  // would wait for that lock with the thread blocked: refuse instead of stalling both.
  if (session.importing.size > 0) throw new SignetError('ERR_BAD_INPUT', 'a capture is being imported: wait for it to finish or cancel it, then restore (nothing was changed)');
  sweepStaleTemporaries(session.path);
  const candidatePath = tempPath(session.path, 'restore');
  let header: BackupHeader;
  let view: Omit<BackupView, 'path'>;
  try {
    header = await openFile(input.path, candidatePath, input.passphrase);
    const candidate = checkedCandidate(candidatePath);
    try {
      await checkPassphrase(candidate, input.passphrase, 'the backup opened, but its keystore does not unlock with that passphrase');
      // Checked once the backup is known to open: a wrong backup passphrase is then named as such.
      if (session.initialized) {
        await checkPassphrase(session.db, input.currentPassphrase ?? input.passphrase, "the current keystore's passphrase is needed to replace it (nothing was changed)");
      }
      dropUnfinishedImports(candidate);
      view = {
        bytes: (await stat(input.path)).size,
        createdAt: header.createdAt,
        schemaVersion: header.schemaVersion,
        keys: rowCount(candidate, 'keys'),
        captures: rowCount(candidate, 'captures'),
        auditRows: rowCount(candidate, 'audit_log'),
      };
      await copyOver(candidate, session.db, session.path).catch((error: unknown) => {
        throw fsFailure('replace the keystore at', session.path, error);
      });
    } finally {
      candidate.close();
    }
  } finally {
    removeDatabaseFiles(candidatePath);
  }
  // The master key in memory belongs to the replaced keystore: the restored one is unlocked afresh.
  session.lock();
  session.transaction(() =>
    session.audit.append('keystore.restored', null, { file: basename(input.path), backupCreatedAt: header.createdAt, keys: view.keys, auditRows: view.auditRows }, session.clock()),
  );
  return { path: input.path, ...view };
}

/** Authenticates the backup segment by segment into `target`; returns its header. */
async function openFile(path: string, target: string, passphrase: string): Promise<BackupHeader> {
  let input: FileHandle | undefined;
  let output: FileHandle | undefined;
  let fileKey: Buffer | undefined;
  try {
    input = await open(path, 'r');
    const info = await input.stat();
    if (!info.isFile()) throw new SignetError('ERR_UNREADABLE', `cannot read backup ${path}: it is not a file`);
    const prefix = Buffer.alloc(Math.min(info.size, headerReadBytes()));
    await input.read(prefix, 0, prefix.length, 0);
    const { header, headerBytes, bodyOffset } = parseHeader(prefix, info.size);
    if (header.schemaVersion > SCHEMA_VERSION) {
      throw new SignetError('ERR_STORE_TOO_NEW', `this backup holds schema version ${header.schemaVersion}, newer than this Signet understands (${SCHEMA_VERSION}); update Signet`);
    }
    const kek = await deriveBackupKek(passphrase, Buffer.from(header.salt, 'base64'), header.params);
    fileKey = unwrapFileKey(kek, header);
    kek.fill(0);
    output = await open(target, 'wx', 0o600);
    const count = segmentCount(header.plaintextBytes, header.segmentBytes);
    const sealed = Buffer.alloc(header.segmentBytes + TAG_BYTES);
    let offset = bodyOffset;
    for (let index = 0; index < count; index++) {
      const length = segmentPlainBytes(index, header.plaintextBytes, header.segmentBytes) + TAG_BYTES;
      await input.read(sealed, 0, length, offset);
      offset += length;
      const plaintext = openSegment(fileKey, headerBytes, index, index === count - 1, sealed.subarray(0, length));
      await output.write(plaintext);
      plaintext.fill(0);
    }
    await output.sync();
    return header;
  } catch (error) {
    throw fsFailure('read backup', path, error);
  } finally {
    fileKey?.fill(0);
    await input?.close();
    await output?.close();
  }
}

/** Opens the authenticated snapshot as a keystore and refuses it unless it is sound and complete. */
function checkedCandidate(path: string): Db {
  let db: Db;
  try {
    db = openDb(path);
  } catch (error) {
    if (error instanceof SignetError && error.code === 'ERR_STORE_TOO_NEW') throw error;
    throw new SignetError('ERR_BACKUP_CORRUPT', 'the backup decrypted, but what it holds is not a Signet keystore (nothing was changed)');
  }
  try {
    const problems = integrityProblems(db);
    if (problems.length > 0) throw new SignetError('ERR_BACKUP_CORRUPT', `the keystore in the backup fails SQLite's integrity check (${problems.length} problems); nothing was changed`);
    if (foreignKeyProblems(db) > 0) throw new SignetError('ERR_BACKUP_CORRUPT', 'the keystore in the backup has rows that point at missing rows; nothing was changed');
    const tables = tableNames(db);
    const missing = REQUIRED_TABLES.filter((table) => !tables.has(table));
    if (missing.length > 0) throw new SignetError('ERR_BACKUP_CORRUPT', `the keystore in the backup lacks tables (${missing.join(', ')}); nothing was changed`);
    if (!vaultExists(db)) throw new SignetError('ERR_BACKUP_CORRUPT', 'the keystore in the backup has no passphrase-wrapped master key; nothing was changed');
    const chain = auditLog(db).verify();
    if (!chain.ok) {
      throw new SignetError('ERR_BACKUP_CORRUPT', `the audit chain in the backup is broken at row ${chain.brokenAt?.seq ?? '?'} (${chain.brokenAt?.reason ?? 'unknown'}); nothing was changed`);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
