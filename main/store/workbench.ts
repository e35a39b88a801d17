import type { Db } from './db.ts';

export interface EphemeralRecord {
  id: string;
  type: 'ec' | 'rsa';
  publicDer: Buffer;
  privateSealed: Buffer | null;
  createdAt: Date;
  expiresAt: Date;
  destroyedAt: Date | null;
  destroyedWhy: 'used' | 'expired' | 'deleted' | null;
}

export interface AgreementRecord {
  id: string;
  role: 'client' | 'server';
  scheme: string | null;
  spec: string;
  info: string | null;
  stateSealed: Buffer | null;
  keySealed: Buffer | null;
  createdAt: Date;
  expiresAt: Date;
}

interface EphemeralRow {
  id: string;
  type: string;
  public_der: Buffer;
  private_sealed: Buffer | null;
  created_at: string;
  expires_at: string;
  destroyed_at: string | null;
  destroyed_why: string | null;
}

interface AgreementRow {
  id: string;
  role: string;
  scheme: string | null;
  spec: string;
  info: string | null;
  state_sealed: Buffer | null;
  key_sealed: Buffer | null;
  created_at: string;
  expires_at: string;
}

const toEphemeral = (row: EphemeralRow): EphemeralRecord => ({
  id: row.id,
  type: row.type as EphemeralRecord['type'],
  publicDer: row.public_der,
  privateSealed: row.private_sealed,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
  destroyedAt: row.destroyed_at ? new Date(row.destroyed_at) : null,
  destroyedWhy: row.destroyed_why as EphemeralRecord['destroyedWhy'],
});

const toAgreement = (row: AgreementRow): AgreementRecord => ({
  id: row.id,
  role: row.role as AgreementRecord['role'],
  scheme: row.scheme,
  spec: row.spec,
  info: row.info,
  stateSealed: row.state_sealed,
  keySealed: row.key_sealed,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

export function ephemeralRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO ephemeral_sessions (id, type, public_der, private_sealed, created_at, expires_at) VALUES (@id, @type, @public_der, @private_sealed, @created_at, @expires_at)',
  );
  const get = db.prepare('SELECT * FROM ephemeral_sessions WHERE id = ?');
  const list = db.prepare('SELECT * FROM ephemeral_sessions ORDER BY created_at DESC LIMIT 200');
  const overdue = db.prepare('SELECT id FROM ephemeral_sessions WHERE destroyed_at IS NULL AND expires_at <= ?');
  // Overwrite the sealed bytes before dropping them (secure_delete also zeroes freed pages).
  const wipe = db.prepare('UPDATE ephemeral_sessions SET private_sealed = zeroblob(length(private_sealed)) WHERE id = ?');
  const destroy = db.prepare('UPDATE ephemeral_sessions SET private_sealed = NULL, destroyed_at = @at, destroyed_why = @why WHERE id = @id');
  return {
    insert(record: EphemeralRecord): void {
      insert.run({ id: record.id, type: record.type, public_der: record.publicDer, private_sealed: record.privateSealed, created_at: record.createdAt.toISOString(), expires_at: record.expiresAt.toISOString() });
    },
    get(id: string): EphemeralRecord | undefined {
      const row = get.get(id) as EphemeralRow | undefined;
      return row && toEphemeral(row);
    },
    list(): EphemeralRecord[] {
      return (list.all() as EphemeralRow[]).map(toEphemeral);
    },
    overdue(now: Date): string[] {
      return (overdue.all(now.toISOString()) as { id: string }[]).map((row) => row.id);
    },
    destroy(id: string, why: 'used' | 'expired' | 'deleted', at: Date): void {
      wipe.run(id);
      destroy.run({ id, why, at: at.toISOString() });
    },
  };
}

export function agreementsRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO agreements (id, role, scheme, spec, info, state_sealed, key_sealed, created_at, expires_at)
     VALUES (@id, @role, @scheme, @spec, @info, @state_sealed, @key_sealed, @created_at, @expires_at)`,
  );
  // Either side's row will do for sealing: both derived the same key. The client's comes first.
  const get = db.prepare('SELECT * FROM agreements WHERE id = ? ORDER BY role LIMIT 1');
  const finish = db.prepare("UPDATE agreements SET id = @new_id, scheme = @scheme, info = @info, state_sealed = NULL, key_sealed = @key_sealed WHERE id = @id AND role = 'client'");
  const list = db.prepare('SELECT * FROM agreements ORDER BY created_at DESC LIMIT 200');
  return {
    insert(record: AgreementRecord): void {
      insert.run({
        id: record.id,
        role: record.role,
        scheme: record.scheme,
        spec: record.spec,
        info: record.info,
        state_sealed: record.stateSealed,
        key_sealed: record.keySealed,
        created_at: record.createdAt.toISOString(),
        expires_at: record.expiresAt.toISOString(),
      });
    },
    get(id: string): AgreementRecord | undefined {
      const row = get.get(id) as AgreementRow | undefined;
      return row && toAgreement(row);
    },
    list(): AgreementRecord[] {
      return (list.all() as AgreementRow[]).map(toAgreement);
    },
    /** The client's private half is dropped once the key is derived; the row takes the server's reference. */
    finish(id: string, update: { newId: string; scheme: string; info: string; keySealed: Buffer }): void {
      finish.run({ id, new_id: update.newId, scheme: update.scheme, info: update.info, key_sealed: update.keySealed });
    },
  };
}
