import type { Db } from './db.ts';

/** Settings as named JSON values; their schema and defaults belong to the service that reads them. */
export function settingsRepository(db: Db) {
  const all = db.prepare('SELECT name, value FROM settings');
  const upsert = db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
  return {
    all(): Record<string, unknown> {
      const entries = (all.all() as { name: string; value: string }[]).map((row) => [row.name, JSON.parse(row.value) as unknown]);
      return Object.fromEntries(entries);
    },
    set(name: string, value: unknown): void {
      upsert.run(name, JSON.stringify(value));
    },
  };
}
