import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../../main/services/session.ts';
import { KEY_SUMMARIES_SQL, type KeyFilter } from '../../../main/store/keys.ts';

// A keystore of 10 000 keys, filled in SQL, for the query behind `signet keys list` and the Keys view
// (issue 7): it must read the keys in list order off an index, never sort the whole table.
const KEYS = 10_000;
let dir: string;
let session: Session;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-many-keys-'));
  session = Session.open(join(dir, 'keystore.db'), { create: true });
  // Creation times run backwards and repeat every 28 keys, so list order is neither insertion order
  // nor free of ties; every third key holds a (stand-in) sealed private part.
  session.db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${KEYS - 1})
    INSERT INTO keys (id, kid, name, owner, environment, type, use, alg, status, source, public_der, private_sealed, created_at)
    SELECT printf('k_%04d', i), 'kid-' || i, 'partner ' || i, CASE i % 2 WHEN 0 THEN 'acme' ELSE 'globex' END, 'prod',
      CASE i % 3 WHEN 0 THEN 'ec' WHEN 1 THEN 'rsa' ELSE 'ed25519' END, CASE WHEN i % 5 = 0 THEN 'enc' ELSE 'sig' END, 'ES256',
      'active', 'imported', zeroblob(91), CASE WHEN i % 3 = 0 THEN zeroblob(120) END,
      printf('2026-01-%02dT00:00:00.000Z', 28 - i % 28)
    FROM n`);
}, 120_000);
afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

const filters: KeyFilter[] = [{}, { owner: 'acme' }, { type: 'ec' }, { use: 'enc' }, { search: 'partner 7' }, { owner: 'globex', type: 'rsa', use: 'sig', search: '1' }];

function plan(filter: KeyFilter): string[] {
  const params = { owner: filter.owner ?? null, type: filter.type ?? null, use: filter.use ?? null, search: filter.search ?? null };
  return (session.db.prepare(`EXPLAIN QUERY PLAN ${KEY_SUMMARIES_SQL}`).all(params) as { detail: string }[]).map((row) => row.detail);
}

describe('listing a keystore of 10 000 keys', () => {
  it.each(filters.map((filter) => [JSON.stringify(filter), filter] as const))('reads the creation-time index and sorts nothing for %s', (_name, filter) => {
    const steps = plan(filter);
    expect(steps.filter((step) => /TEMP B-TREE/.test(step))).toEqual([]);
    expect(steps).toEqual([expect.stringMatching(/^(SCAN|SEARCH) keys USING INDEX keys_created\b/)]);
  });

  it('lists the keys of the full list, in its order (creation time, then insertion), without their material', () => {
    const records = session.keys.list();
    const summaries = session.keys.summaries();
    expect(summaries.map((key) => key.id)).toEqual(records.map((key) => key.id));
    expect(summaries.map((key) => key.hasPrivate)).toEqual(records.map((key) => key.privateSealed !== null));
    expect(summaries.slice(0, 3).map((key) => [key.id, key.createdAt.toISOString()])).toEqual([
      ['k_0027', '2026-01-01T00:00:00.000Z'],
      ['k_0055', '2026-01-01T00:00:00.000Z'],
      ['k_0083', '2026-01-01T00:00:00.000Z'],
    ]);
    expect(Object.keys(summaries[0] ?? {})).not.toContain('privateSealed');
    expect(Object.keys(summaries[0] ?? {})).not.toContain('publicDer');
  });

  it('filters as the full list does', () => {
    for (const filter of filters) expect(session.keys.summaries(filter).map((key) => key.id)).toEqual(session.keys.list(filter).map((key) => key.id));
  });
});
