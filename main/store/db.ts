import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignetError } from '../core/errors.ts';
import { migrations } from './migrations/index.ts';

export type Db = Database.Database;

export const SCHEMA_VERSION = migrations.length;

export interface OpenOptions {
  /** Create the file (and its folder) when missing. Without it a missing store is an error. */
  create?: boolean;
  readonly?: boolean;
  /** Path of a better-sqlite3 addon built for another runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
}

/**
 * Opens a keystore file: pragmas, then pending migrations. A file written by a newer Signet is
 * refused rather than half-understood (as Signal-Desktop refuses a database from the future).
 */
export function openDb(path: string, options: OpenOptions = {}): Db {
  if (options.create && path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(path, {
      fileMustExist: !options.create,
      readonly: options.readonly ?? false,
      ...(options.nativeBinding && { nativeBinding: options.nativeBinding }),
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CANTOPEN') {
      throw new SignetError('ERR_STORE_NOT_INITIALIZED', `no keystore at ${path} (run "signet init" to create one)`);
    }
    throw new SignetError('ERR_STORE_CORRUPT', `cannot open the keystore at ${path}: ${(error as Error).message}`);
  }
  try {
    // Captured traffic is stored in clear (bearer tokens; API keys are kept as their last four): owner-only, like ~/.ssh.
    // SQLite creates the -wal and -shm files with the main file's permissions.
    if (options.create && path !== ':memory:') chmodSync(path, 0o600);
    db.pragma('busy_timeout = 5000');
    // Takes effect on a new, empty database only (SQLite ignores it once there are pages). Captures are
    // mostly bodies, stored as overflow chains: measured on 86 MB of bench bodies, 16 KiB pages write
    // them 1.7× faster than the default 4 KiB (a quarter of the pages to log, checksum and checkpoint).
    if (!options.readonly) db.pragma('page_size = 16384');
    if (!options.readonly) db.pragma('journal_mode = WAL');
    // Checkpoint every 4 MiB of log, as SQLite's default of 1000 pages does for 4 KiB pages: a checkpoint
    // runs inside a commit, and one over 16 MiB held an import's thread for 60 ms and more.
    db.pragma(`wal_autocheckpoint = ${Math.round((4 * 1024 * 1024) / Number(db.pragma('page_size', { simple: true })))}`);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    // Deleted rows are overwritten on disk, not just unlinked.
    db.pragma('secure_delete = ON');
    migrate(db, options.readonly ?? false);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_STORE_CORRUPT', `${path} is not a Signet keystore (${(error as Error).message})`);
  }
}

function migrate(db: Db, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SignetError(
      'ERR_STORE_TOO_NEW',
      `this keystore uses schema version ${current}, newer than this Signet understands (${SCHEMA_VERSION}); update Signet`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  if (readonly) throw new SignetError('ERR_STORE_CORRUPT', 'the keystore needs an upgrade but was opened read-only');
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const sql = migrations[version - 1];
    if (sql === undefined) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
