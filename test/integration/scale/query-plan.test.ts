import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../../main/core/inspect/findings.ts';
import { Session } from '../../../main/services/session.ts';
import { pageQueries, type ExchangeQuery } from '../../../main/store/capture-pages.ts';
import { fillBulkCapture } from '../../support/bulk-capture.ts';

// A stored capture of a million exchanges, filled in SQL (seconds, not an import; its shape is described in
// test/support/bulk-capture.ts), for the plans the Captures view will run on it: every filter and sort of
// page() must be an index search.
const ROWS = 1_000_000;
const CAPTURE = 'c_million';
let dir: string;
let session: Session;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-million-'));
  session = Session.open(join(dir, 'keystore.db'), { create: true });
  fillBulkCapture(session, { id: CAPTURE, name: 'a million', exchanges: ROWS });
  session.db.exec(`INSERT INTO captures (id, name, format, state, imported_at, exchange_count) VALUES ('c_small', 'neighbour', 'har', 'complete', '2026-11-23T00:00:00Z', 3)`);
  session.db.exec(`INSERT INTO exchanges (capture_id, idx, method, host, path, severity, verdicts) VALUES ('c_small', 0, 'GET', 'h1.test', '/', 0, '')`);
}, 120_000);
afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

const filters: Partial<ExchangeQuery>[] = [];
for (const host of [undefined, 'h3.test'])
  for (const method of [undefined, 'GET'])
    for (const verdict of [undefined, 'invalid' as Verdict])
      for (const scheme of [undefined, 'jws'])
        for (const sort of ['index', 'severity'] as const) filters.push({ ...(host && { host }), ...(method && { method }), ...(verdict && { verdict }), ...(scheme && { scheme }), sort });
const describeFilter = (query: Partial<ExchangeQuery>) => JSON.stringify(query);

function plan(sql: string, params: Record<string, unknown>): string[] {
  return (session.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((row) => row.detail);
}

describe('paging a capture of a million exchanges', () => {
  it.each(filters.map((query) => [describeFilter(query), query] as const))('searches an index and sorts nothing for %s', (_name, filter) => {
    const { rows } = pageQueries({ captureId: CAPTURE, offset: 999_000, limit: 200, ...filter });
    const steps = plan(rows.sql, rows.params);
    expect(steps.filter((step) => /^SCAN /.test(step))).toEqual([]);
    expect(steps.filter((step) => /TEMP B-TREE/.test(step))).toEqual([]);
    expect(steps.some((step) => /^SEARCH e USING (COVERING )?INDEX/.test(step))).toBe(true);
  });

  it.each(filters.map((query) => [describeFilter(query), query] as const))('counts on an index, or from the stored total, for %s', (_name, filter) => {
    const { count } = pageQueries({ captureId: CAPTURE, offset: 0, limit: 200, ...filter });
    if (count === 'stored') {
      expect(Object.keys(filter)).toEqual(['sort']);
      return;
    }
    const steps = plan(count.sql, count.params);
    expect(steps.filter((step) => /^SCAN /.test(step))).toEqual([]);
    expect(steps.every((step) => /^(SEARCH|LIST SUBQUERY|CREATE BLOOM FILTER)/.test(step))).toBe(true);
  });

  it('pages to the very end in file order and worst first', () => {
    const last = session.captures.page({ captureId: CAPTURE, offset: ROWS - 10, limit: 200 });
    expect(last.total).toBe(ROWS);
    expect(last.rows.map((row) => row.index)).toEqual(Array.from({ length: 10 }, (_, k) => ROWS - 10 + k));
    const worst = session.captures.page({ captureId: CAPTURE, sort: 'severity', offset: 0, limit: 3 });
    expect(worst.rows.map((row) => [row.index, row.severity])).toEqual([
      [3, 6],
      [10, 6],
      [17, 6],
    ]);
  });

  it('counts each exchange once, however many of its findings match', () => {
    expect(session.captures.page({ captureId: CAPTURE, verdict: 'invalid', offset: 0, limit: 1 }).total).toBe(ROWS / 10);
    // jws on every third exchange (333 334), plus a second jws finding on every fifth: 200 000 more, 66 667 of them already counted.
    expect(session.captures.page({ captureId: CAPTURE, scheme: 'jws', offset: 0, limit: 1 }).total).toBe(333_334 + 200_000 - 66_667);
    const replays = session.captures.page({ captureId: CAPTURE, verdict: 'replay', host: 'h7.test', offset: 0, limit: 50 });
    expect(replays.total).toBe(1000);
    expect(replays.rows.map((row) => row.index)).toEqual(Array.from({ length: 50 }, (_, k) => k * 1000 + 7));
  });

  it('pages a findings filter in file order with each exchange once, deep pages too', () => {
    // Every fifth exchange has two jws findings: the page must still list it once.
    const jws = (i: number) => i % 3 === 0 || i % 5 === 0;
    const expected = (offset: number) => {
      const found: number[] = [];
      for (let i = 0, seen = 0; i < ROWS && found.length < 20; i++) if (jws(i) && seen++ >= offset) found.push(i);
      return found;
    };
    for (const offset of [0, 1, 466_600]) {
      expect(session.captures.page({ captureId: CAPTURE, scheme: 'jws', offset, limit: 20 }).rows.map((row) => row.index)).toEqual(expected(offset));
    }
    const invalid = session.captures.page({ captureId: CAPTURE, verdict: 'invalid', offset: 99_990, limit: 20 });
    expect(invalid.rows.map((row) => row.index)).toEqual(Array.from({ length: 10 }, (_, k) => (99_990 + k) * 10));
  });

  it('keeps the captures apart', () => {
    expect(session.captures.page({ captureId: 'c_small', host: 'h1.test', offset: 0, limit: 200 }).rows.map((row) => row.index)).toEqual([0]);
  });
});
