import type { Verdict } from '../core/inspect/findings.ts';

/** Which exchanges of a stored capture a page of the Captures view or `capture show` lists. */
export interface ExchangeQuery {
  captureId: string;
  verdict?: Verdict;
  scheme?: string;
  host?: string;
  method?: string;
  /** `index` (file order) or `severity` (worst first). */
  sort?: 'index' | 'severity';
  offset: number;
  limit: number;
}

interface BoundSql {
  sql: string;
  params: Record<string, string | number>;
}

/**
 * The statements behind `capturesRepository().page()`, apart so their plans can be checked on a
 * million rows (test/integration/scale/query-plan.test.ts). The total is counted on
 * the narrowest index for the filters given; with no filter it is the count stored at import.
 */
export function pageQueries(query: ExchangeQuery): { rows: BoundSql; count: BoundSql | 'stored' } {
  const where = ['e.capture_id = @captureId'];
  const params: Record<string, string | number> = { captureId: query.captureId };
  if (query.host) {
    where.push('e.host = @host');
    params.host = query.host;
  }
  if (query.method) {
    where.push('e.method = @method');
    params.method = query.method;
  }
  const findingFilter: string[] = [];
  if (query.verdict) {
    findingFilter.push('f.verdict = @verdict');
    params.verdict = query.verdict;
  }
  if (query.scheme) {
    findingFilter.push('f.scheme = @scheme');
    params.scheme = query.scheme;
  }
  const findingsMatching = `FROM findings f WHERE f.capture_id = @captureId AND ${findingFilter.join(' AND ')}`;
  const exchangeFiltered = where.length > 1;
  const byIndex = query.sort !== 'severity';
  const page = { ...params, limit: query.limit, offset: query.offset };
  const columns = 'SELECT e.idx, e.started_at, e.method, e.host, e.path, e.status, e.severity, e.verdicts FROM exchanges e';

  if (findingFilter.length === 0 && !exchangeFiltered) {
    // Exchange i is the i-th row (imports number every entry, malformed ones too): in file order the
    // page starts at idx = offset, where OFFSET would step over every row before it (the last page of a
    // million: 0.3 ms instead of 30).
    const rows = byIndex
      ? `${columns} WHERE ${where[0]} AND e.idx >= @offset ORDER BY e.idx LIMIT @limit`
      : `${columns} WHERE ${where[0]} ORDER BY e.severity DESC, e.idx LIMIT @limit OFFSET @offset`;
    return { rows: { sql: rows, params: page }, count: 'stored' };
  }
  if (!exchangeFiltered) {
    // In file order the page is cut in the findings index, which is in exchange order, and only its
    // rows are looked up ("valid" on a million: 0.5 ms for the first page instead of the 116 ms of
    // listing every match first). Counted on that index alone.
    const rows = byIndex
      ? `${columns} WHERE ${where[0]} AND e.idx IN (SELECT DISTINCT f.exchange_idx ${findingsMatching} ORDER BY f.exchange_idx LIMIT @limit OFFSET @offset) ORDER BY e.idx`
      : `${columns} WHERE ${where[0]} AND e.idx IN (SELECT f.exchange_idx ${findingsMatching}) ORDER BY e.severity DESC, e.idx LIMIT @limit OFFSET @offset`;
    return { rows: { sql: rows, params: page }, count: { sql: `SELECT count(DISTINCT f.exchange_idx) AS n ${findingsMatching}`, params } };
  }
  // After a host or method filter, each of its exchanges is probed for a matching finding: a third of
  // the time of listing every matching finding first (host + verdict on a million: 12 ms to count).
  if (findingFilter.length > 0) where.push(`EXISTS (SELECT 1 ${findingsMatching} AND f.exchange_idx = e.idx)`);
  const filtered = where.join(' AND ');
  return {
    rows: { sql: `${columns} WHERE ${filtered} ORDER BY ${byIndex ? 'e.idx' : 'e.severity DESC, e.idx'} LIMIT @limit OFFSET @offset`, params: page },
    count: { sql: `SELECT count(*) AS n FROM exchanges e WHERE ${filtered}`, params },
  };
}
