import type { Curve, KeyType, KeyUse } from '../core/keys/types.ts';
import type { Db } from './db.ts';

export type StoredStatus = 'pending' | 'active' | 'revoked';

/** One row of `keys`, with times as Dates. `privateSealed` is vault-sealed; nothing here is clear. */
export interface KeyRecord {
  id: string;
  kid: string;
  name: string;
  owner: string;
  environment: string;
  type: KeyType;
  size: number | null;
  curve: Curve | null;
  use: KeyUse | null;
  alg: string | null;
  /** `alg` was chosen for the key, not defaulted: it is then the only algorithm the key is used with. */
  algPinned: boolean;
  status: StoredStatus;
  source: 'generated' | 'imported';
  appId: string | null;
  thumbprint: string | null;
  publicDer: Buffer | null;
  privateSealed: Buffer | null;
  certificateDer: Buffer | null;
  /** DER certificates after the leaf, issuer order. */
  chain: Buffer[];
  createdAt: Date;
  notBefore: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revocationReason: string | null;
}

/** A key as a list shows it: everything but the key material, and whether a private part is held. */
export interface KeySummary extends Omit<KeyRecord, 'publicDer' | 'privateSealed' | 'chain'> {
  hasPrivate: boolean;
}

interface KeyRow {
  id: string;
  kid: string;
  name: string;
  owner: string;
  environment: string;
  type: string;
  size: number | null;
  curve: string | null;
  use: string | null;
  alg: string | null;
  alg_pinned: 0 | 1;
  status: string;
  source: string;
  app_id: string | null;
  thumbprint: string | null;
  public_der: Buffer | null;
  private_sealed: Buffer | null;
  certificate_der: Buffer | null;
  chain: string | null;
  created_at: string;
  not_before: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
}

/** A row of KEY_SUMMARIES_SQL, read as an array (see `summaries`). */
type KeySummaryRow = [
  id: string,
  kid: string,
  name: string,
  owner: string,
  environment: string,
  type: string,
  size: number | null,
  curve: string | null,
  use: string | null,
  alg: string | null,
  algPinned: 0 | 1,
  status: string,
  source: string,
  appId: string | null,
  thumbprint: string | null,
  certificateDer: Buffer | null,
  createdAt: string,
  notBefore: string | null,
  expiresAt: string | null,
  revokedAt: string | null,
  revocationReason: string | null,
  hasPrivate: 0 | 1,
];

const date = (text: string | null): Date | null => (text === null ? null : new Date(text));
const text = (value: Date | null): string | null => (value === null ? null : value.toISOString());
const chainText = (chain: Buffer[]): string | null => (chain.length ? JSON.stringify(chain.map((der) => der.toString('base64'))) : null);

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    kid: row.kid,
    name: row.name,
    owner: row.owner,
    environment: row.environment,
    type: row.type as KeyType,
    size: row.size,
    curve: row.curve as Curve | null,
    use: row.use as KeyUse | null,
    alg: row.alg,
    algPinned: row.alg_pinned === 1,
    status: row.status as StoredStatus,
    source: row.source as KeyRecord['source'],
    appId: row.app_id,
    thumbprint: row.thumbprint,
    publicDer: row.public_der,
    privateSealed: row.private_sealed,
    certificateDer: row.certificate_der,
    chain: row.chain ? (JSON.parse(row.chain) as string[]).map((b64) => Buffer.from(b64, 'base64')) : [],
    createdAt: new Date(row.created_at),
    notBefore: date(row.not_before),
    expiresAt: date(row.expires_at),
    revokedAt: date(row.revoked_at),
    revocationReason: row.revocation_reason,
  };
}

function toSummary(row: KeySummaryRow): KeySummary {
  const [id, kid, name, owner, environment, type, size, curve, use, alg, algPinned, status, source, appId, thumbprint, certificateDer, createdAt, notBefore, expiresAt, revokedAt, revocationReason, hasPrivate] = row;
  return {
    id,
    kid,
    name,
    owner,
    environment,
    type: type as KeyType,
    size,
    curve: curve as Curve | null,
    use: use as KeyUse | null,
    alg,
    algPinned: algPinned === 1,
    status: status as StoredStatus,
    source: source as KeySummary['source'],
    appId,
    thumbprint,
    certificateDer,
    createdAt: new Date(createdAt),
    notBefore: date(notBefore),
    expiresAt: date(expiresAt),
    revokedAt: date(revokedAt),
    revocationReason,
    hasPrivate: hasPrivate === 1,
  };
}

function toRow(record: KeyRecord): KeyRow {
  return {
    id: record.id,
    kid: record.kid,
    name: record.name,
    owner: record.owner,
    environment: record.environment,
    type: record.type,
    size: record.size,
    curve: record.curve,
    use: record.use,
    alg: record.alg,
    alg_pinned: record.algPinned ? 1 : 0,
    status: record.status,
    source: record.source,
    app_id: record.appId,
    thumbprint: record.thumbprint,
    public_der: record.publicDer,
    private_sealed: record.privateSealed,
    certificate_der: record.certificateDer,
    chain: chainText(record.chain),
    created_at: record.createdAt.toISOString(),
    not_before: text(record.notBefore),
    expires_at: text(record.expiresAt),
    revoked_at: text(record.revokedAt),
    revocation_reason: record.revocationReason,
  };
}

export interface KeyFilter {
  owner?: string;
  type?: KeyType;
  use?: KeyUse;
  search?: string;
}

// Served by the keys_created index (migration 006): no sort of the whole table.
const FILTERED_IN_ORDER = `WHERE (@owner IS NULL OR owner = @owner) AND (@type IS NULL OR type = @type) AND (@use IS NULL OR use = @use)
    AND (@search IS NULL OR instr(lower(name || ' ' || kid || ' ' || id || ' ' || owner || ' ' || environment || ' ' || coalesce(app_id, '')), lower(@search)) > 0)
  ORDER BY created_at, rowid`;

/**
 * The list a user sees, exported so its plan can be checked: the columns a key view shows, and not the
 * key material (public, sealed and chain blobs), which a list never shows but would copy for every key.
 */
export const KEY_SUMMARIES_SQL = `SELECT id, kid, name, owner, environment, type, size, curve, use, alg, alg_pinned, status, source, app_id, thumbprint,
    certificate_der, created_at, not_before, expires_at, revoked_at, revocation_reason, private_sealed IS NOT NULL AS has_private
  FROM keys ${FILTERED_IN_ORDER}`;

const filterParams = (filter: KeyFilter) => ({ owner: filter.owner ?? null, type: filter.type ?? null, use: filter.use ?? null, search: filter.search ?? null });

export function keysRepository(db: Db) {
  const insert = db.prepare(`INSERT INTO keys (id, kid, name, owner, environment, type, size, curve, use, alg, alg_pinned, status, source,
      app_id, thumbprint, public_der, private_sealed, certificate_der, chain, created_at, not_before, expires_at, revoked_at,
      revocation_reason)
    VALUES (@id, @kid, @name, @owner, @environment, @type, @size, @curve, @use, @alg, @alg_pinned, @status, @source, @app_id, @thumbprint,
      @public_der, @private_sealed, @certificate_der, @chain, @created_at, @not_before, @expires_at, @revoked_at,
      @revocation_reason)`);
  const byId = db.prepare('SELECT * FROM keys WHERE id = ?');
  const byKid = db.prepare('SELECT * FROM keys WHERE kid = ?');
  const byAppId = db.prepare('SELECT * FROM keys WHERE app_id = ?');
  const list = db.prepare(`SELECT * FROM keys ${FILTERED_IN_ORDER}`);
  // Rows as arrays: better-sqlite3 sets each column of a row object by name, which was half the query's
  // time on 10 000 keys (issue 7).
  const summaries = db.prepare(KEY_SUMMARIES_SQL).raw(true);
  const setStatus = db.prepare('UPDATE keys SET status = @status, revoked_at = @revoked_at, revocation_reason = @revocation_reason WHERE id = @id');
  const setCertificate = db.prepare('UPDATE keys SET certificate_der = @certificate_der, chain = @chain, not_before = @not_before, expires_at = @expires_at WHERE id = @id');
  const byThumbprint = db.prepare('SELECT * FROM keys WHERE thumbprint = ? ORDER BY created_at, rowid');
  const setExpiry = db.prepare('UPDATE keys SET expires_at = @expires_at WHERE id = @id');
  const remove = db.prepare('DELETE FROM keys WHERE id = ?');
  const count = db.prepare('SELECT count(*) AS n FROM keys');
  const anySealed = db.prepare('SELECT 1 FROM keys WHERE private_sealed IS NOT NULL LIMIT 1').pluck();

  const one = (row: unknown): KeyRecord | undefined => (row ? toRecord(row as KeyRow) : undefined);

  return {
    insert(record: KeyRecord): void {
      insert.run(toRow(record));
    },
    get(id: string): KeyRecord | undefined {
      return one(byId.get(id));
    },
    byKid(kid: string): KeyRecord | undefined {
      return one(byKid.get(kid));
    },
    byAppId(appId: string): KeyRecord | undefined {
      return one(byAppId.get(appId));
    },
    list(filter: KeyFilter = {}): KeyRecord[] {
      return (list.all(filterParams(filter)) as KeyRow[]).map(toRecord);
    },
    /** The same keys in the same order as `list`, as summaries: for showing, not for using them. */
    summaries(filter: KeyFilter = {}): KeySummary[] {
      return (summaries.all(filterParams(filter)) as KeySummaryRow[]).map(toSummary);
    },
    setStatus(id: string, status: StoredStatus, revokedAt: Date | null, reason: string | null): void {
      setStatus.run({ id, status, revoked_at: text(revokedAt), revocation_reason: reason });
    },
    /** Every key with this public key (RFC 7638 thumbprint): a key imported twice under two kids is two rows. */
    byThumbprint(thumbprint: string): KeyRecord[] {
      return (byThumbprint.all(thumbprint) as KeyRow[]).map(toRecord);
    },
    /** Attaches a certificate and its chain in place of any held, with the key's dates (the service decides them). */
    setCertificate(id: string, certificateDer: Buffer, chain: Buffer[], notBefore: Date | null, expiresAt: Date | null): void {
      setCertificate.run({ id, certificate_der: certificateDer, chain: chainText(chain), not_before: text(notBefore), expires_at: text(expiresAt) });
    },
    setExpiry(id: string, expiresAt: Date): void {
      setExpiry.run({ id, expires_at: text(expiresAt) });
    },
    delete(id: string): void {
      remove.run(id);
    },
    count(): number {
      return (count.get() as { n: number }).n;
    },
    /** Whether any key holds sealed material (a private key or an HMAC secret). */
    anySealed(): boolean {
      return anySealed.get() !== undefined;
    },
  };
}

export type KeysRepository = ReturnType<typeof keysRepository>;
