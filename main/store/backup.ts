import type { Db } from './db.ts';
import type { KdfParams } from './vault.ts';

/**
 * The SQL of backup and restore: a consistent online snapshot of a live store, the checks a candidate
 * must pass before it replaces one, and the swap itself. Both copies use SQLite's online backup API,
 * which copies page by page inside one write transaction on the destination: a process killed half-way
 * leaves the destination as it was (its journal rolls the copy back on the next open).
 */

/** The scrypt parameters of the keystore's passphrase wrap (a backup is sealed at the same cost). */
export function vaultKdfParams(db: Db): KdfParams | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE name = 'vault'").get() as { value: string } | undefined;
  if (!row) return undefined;
  const { params } = JSON.parse(row.value) as { params: KdfParams };
  return params;
}

/** Copies the live store into a new file at `path` while it stays usable (better-sqlite3 `db.backup`). */
export async function snapshotTo(db: Db, path: string): Promise<void> {
  await db.backup(path);
}

/** `PRAGMA integrity_check`: an empty list when the file is sound. */
export function integrityProblems(db: Db): string[] {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const messages = rows.map((row) => row.integrity_check);
  return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
}

export function foreignKeyProblems(db: Db): number {
  return (db.pragma('foreign_key_check') as unknown[]).length;
}

export function tableNames(db: Db): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return new Set(rows.map((row) => row.name));
}

export function rowCount(db: Db, table: 'keys' | 'audit_log' | 'captures'): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/**
 * An import that was running when the backup was taken never finished in it: its rows are not
 * restored (its process id means nothing on this side of the restore).
 */
export function dropUnfinishedImports(candidate: Db): void {
  candidate.prepare("DELETE FROM captures WHERE state = 'importing'").run();
}

/**
 * Replaces the content of the live store with the candidate's, in one transaction on the live file.
 * Connections already open on it (this process's session) see the new content. SQLite cannot change
 * the page size of a WAL database by copying into it (keystores made before 16 KiB pages have 4 KiB
 * ones): the candidate, a private temporary copy, is rewritten to the live store's page size first.
 */
export async function copyOver(candidate: Db, live: Db, livePath: string): Promise<void> {
  const pageSize = Number(live.pragma('page_size', { simple: true }));
  if (Number(candidate.pragma('page_size', { simple: true })) !== pageSize) {
    candidate.pragma('journal_mode = DELETE');
    candidate.pragma(`page_size = ${pageSize}`);
    candidate.exec('VACUUM');
  }
  await candidate.backup(livePath);
}
