import type { Db } from '../../../main/store/db.ts';

/** Every row of every table, as comparable JSON (blobs as hex), sorted: what "nothing was lost" means. */
export function storeContent(db: Db, options: { exceptAudit?: (action: string) => boolean } = {}): Record<string, string[]> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  const content: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
    content[table] = rows
      .filter((row) => !(table === 'audit_log' && options.exceptAudit?.(String(row.action))))
      .filter((row) => !(table === 'meta' && row.name === 'audit-head' && options.exceptAudit))
      .map((row) => JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? `hex:${value.toString('hex')}` : value)))
      .sort();
  }
  return content;
}
