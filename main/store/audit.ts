import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

/**
 * The append-only audit log. Each row stores the SHA-256 of the previous row, and its own hash over
 * its content and that link, so editing, inserting or removing a row breaks the chain at that point.
 * The head (last hash and row count) is also kept in `meta`, so cutting rows off the end shows too.
 */
export type AuditAction =
  | 'keystore.init'
  | 'keystore.passphrase-changed'
  | 'key.created'
  | 'key.imported'
  | 'key.exported-private'
  | 'key.activated'
  | 'key.revoked'
  | 'key.deleted'
  | 'key.certificate-added'
  | (string & {});

export interface AuditEntry {
  seq: number;
  at: Date;
  action: AuditAction;
  keyId: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  /** The first row whose link does not hold, and why. */
  brokenAt?: { seq: number; reason: string };
}

interface AuditRow {
  seq: number;
  at: string;
  action: string;
  key_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function rowHash(row: Omit<AuditRow, 'hash'>): string {
  return createHash('sha256')
    .update([row.prev_hash, String(row.seq), row.at, row.action, row.key_id ?? '', row.detail].join('\n'))
    .digest('hex');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: new Date(row.at),
    action: row.action,
    keyId: row.key_id,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function auditLog(db: Db) {
  const head = db.prepare("SELECT value FROM meta WHERE name = 'audit-head'");
  const setHead = db.prepare("INSERT INTO meta (name, value) VALUES ('audit-head', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, at, action, key_id, detail, prev_hash, hash) VALUES (@seq, @at, @action, @key_id, @detail, @prev_hash, @hash)',
  );
  const all = db.prepare('SELECT * FROM audit_log ORDER BY seq');
  const deletions = db.prepare("SELECT key_id, at, detail FROM audit_log WHERE action = 'key.deleted' AND key_id IS NOT NULL ORDER BY seq DESC");
  const page = db.prepare(
    'SELECT * FROM audit_log WHERE (@keyId IS NULL OR key_id = @keyId) ORDER BY seq DESC LIMIT @limit OFFSET @offset',
  );

  return {
    /** Appends one row. Call inside the transaction that makes the change it records. */
    append(action: AuditAction, keyId: string | null, detail: Record<string, unknown>, at: Date): AuditEntry {
      const previous = last.get() as { seq: number; hash: string } | undefined;
      const row = {
        seq: (previous?.seq ?? 0) + 1,
        at: at.toISOString(),
        action,
        key_id: keyId,
        detail: JSON.stringify(detail),
        prev_hash: previous?.hash ?? GENESIS,
      };
      const full: AuditRow = { ...row, hash: rowHash(row) };
      insert.run(full);
      setHead.run(JSON.stringify({ seq: full.seq, hash: full.hash }));
      return toEntry(full);
    },

    list(filter: { keyId?: string; limit?: number; offset?: number } = {}): AuditEntry[] {
      const rows = page.all({ keyId: filter.keyId ?? null, limit: filter.limit ?? 1000, offset: filter.offset ?? 0 }) as AuditRow[];
      return rows.map(toEntry);
    },

    /** Keys deleted from the keystore, newest first, as their deletion rows name them (kid, name). */
    deletedKeys(): { keyId: string; deletedAt: Date; detail: Record<string, unknown> }[] {
      return (deletions.all() as { key_id: string; at: string; detail: string }[]).map((row) => ({ keyId: row.key_id, deletedAt: new Date(row.at), detail: JSON.parse(row.detail) as Record<string, unknown> }));
    },

    verify(): ChainReport {
      let expectedPrev = GENESIS;
      let expectedSeq = 1;
      let rows = 0;
      for (const row of all.iterate() as IterableIterator<AuditRow>) {
        rows++;
        if (row.seq !== expectedSeq) {
          return { ok: false, rows, brokenAt: { seq: row.seq, reason: `row ${expectedSeq} is missing before row ${row.seq}` } };
        }
        if (row.prev_hash !== expectedPrev) {
          return { ok: false, rows, brokenAt: { seq: row.seq, reason: 'its link to the previous row does not match (a row before it was removed or replaced)' } };
        }
        if (rowHash(row) !== row.hash) {
          return { ok: false, rows, brokenAt: { seq: row.seq, reason: 'its content does not match its hash (the row was edited)' } };
        }
        expectedPrev = row.hash;
        expectedSeq++;
      }
      const stored = head.get() as { value: string } | undefined;
      const recorded = stored ? (JSON.parse(stored.value) as { seq: number; hash: string }) : { seq: 0, hash: GENESIS };
      if (recorded.seq !== rows || recorded.hash !== expectedPrev) {
        return { ok: false, rows, brokenAt: { seq: rows + 1, reason: `the log ends at row ${rows} but ${recorded.seq} rows were written (rows were cut off the end)` } };
      }
      return { ok: true, rows };
    },
  };
}

export type AuditLog = ReturnType<typeof auditLog>;
