import type { Db } from './db.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  header: string;
  hash: string;
  last4: string;
  createdAt: Date;
}

interface ApiKeyRow {
  id: string;
  name: string;
  header: string;
  hash: string;
  last4: string;
  created_at: string;
}

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({ id: row.id, name: row.name, header: row.header, hash: row.hash, last4: row.last4, createdAt: new Date(row.created_at) });

/** API keys as seen in traffic: never the value, only a salted hash and the last four characters. */
export function apiKeysRepository(db: Db) {
  const insert = db.prepare('INSERT INTO api_keys (id, name, header, hash, last4, created_at) VALUES (@id, @name, @header, @hash, @last4, @created_at)');
  const all = db.prepare('SELECT * FROM api_keys ORDER BY created_at, id');
  const byHash = db.prepare('SELECT * FROM api_keys WHERE hash = ?');
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const remove = db.prepare('DELETE FROM api_keys WHERE id = ?');
  const headers = db.prepare('SELECT DISTINCT header FROM api_keys ORDER BY header').pluck();
  const getSalt = db.prepare("SELECT value FROM meta WHERE name = 'api-key-salt'");
  const setSalt = db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES ('api-key-salt', ?)");
  return {
    insert(record: ApiKeyRecord): void {
      insert.run({ id: record.id, name: record.name, header: record.header, hash: record.hash, last4: record.last4, created_at: record.createdAt.toISOString() });
    },
    list(): ApiKeyRecord[] {
      return (all.all() as ApiKeyRow[]).map(toRecord);
    },
    byHash(hash: string): ApiKeyRecord | undefined {
      const row = byHash.get(hash) as ApiKeyRow | undefined;
      return row ? toRecord(row) : undefined;
    },
    get(id: string): ApiKeyRecord | undefined {
      const row = byId.get(id) as ApiKeyRow | undefined;
      return row ? toRecord(row) : undefined;
    },
    delete(id: string): void {
      remove.run(id);
    },
    /** The headers the stored keys were registered for. */
    headers(): string[] {
      return headers.all() as string[];
    },
    /** The store's salt for API-key hashes, created on first use. */
    salt(create: () => string): string {
      const existing = getSalt.get() as { value: string } | undefined;
      if (existing) return existing.value;
      setSalt.run(create());
      return (getSalt.get() as { value: string }).value;
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>;
