import type { Finding, TraceStep, Verdict } from '../core/inspect/findings.ts';
import type { BodyCapture } from '../core/traffic/exchange.ts';
import type { Statement } from 'better-sqlite3';
import { pageQueries, type ExchangeQuery } from './capture-pages.ts';
import type { Db } from './db.ts';

export interface CaptureRecord {
  id: string;
  name: string;
  format: 'har' | 'raw-http';
  fileName: string | null;
  bytes: number;
  importedAt: Date;
  checkedAt: Date | null;
  exchangeCount: number;
  summary: Partial<Record<Verdict, number>>;
}

/** A slim exchange row: what a list shows. */
export interface ExchangeRow {
  index: number;
  startedAt: string | null;
  method: string;
  host: string;
  path: string;
  status: number | null;
  severity: number;
  /** `scheme:verdict` badges. */
  verdicts: string[];
}

export interface ExchangeMessages {
  url: string;
  httpVersion: string;
  requestHeaders: [string, string][];
  requestBody: Buffer | null;
  requestMime: string | null;
  statusText: string | null;
  responseVersion: string | null;
  responseHeaders: [string, string][] | null;
  responseBody: Buffer | null;
  responseMime: string | null;
  /** Set when a body is not the bytes sent: not recorded, or rebuilt (BodyCapture). */
  requestBodyCapture: BodyCapture | null;
  responseBodyCapture: BodyCapture | null;
  malformed: string | null;
}

export interface StoredExchange {
  row: ExchangeRow;
  messages: ExchangeMessages;
  findings: Finding[];
}

interface CaptureRow {
  id: string;
  name: string;
  format: string;
  file_name: string | null;
  bytes: number;
  imported_at: string;
  checked_at: string | null;
  exchange_count: number;
  summary: string;
}

function toCapture(row: CaptureRow): CaptureRecord {
  return {
    id: row.id,
    name: row.name,
    format: row.format as CaptureRecord['format'],
    fileName: row.file_name,
    bytes: row.bytes,
    importedAt: new Date(row.imported_at),
    checkedAt: row.checked_at ? new Date(row.checked_at) : null,
    exchangeCount: row.exchange_count,
    summary: JSON.parse(row.summary) as CaptureRecord['summary'],
  };
}

interface SlimRow {
  idx: number;
  started_at: string | null;
  method: string;
  host: string;
  path: string;
  status: number | null;
  severity: number;
  verdicts: string;
}

const toExchangeRow = (row: SlimRow): ExchangeRow => ({
  index: row.idx,
  startedAt: row.started_at,
  method: row.method,
  host: row.host,
  path: row.path,
  status: row.status,
  severity: row.severity,
  verdicts: row.verdicts ? row.verdicts.split(' ') : [],
});

export function capturesRepository(db: Db) {
  const insertCapture = db.prepare(
    `INSERT INTO captures (id, name, format, file_name, bytes, state, imported_at, checked_at, importer_pid)
     VALUES (@id, @name, @format, @file_name, 0, 'importing', @imported_at, @checked_at, @importer_pid)`,
  );
  const complete = db.prepare(`UPDATE captures SET state = 'complete', format = @format, bytes = @bytes, exchange_count = @exchange_count, summary = @summary WHERE id = @id`);
  const insertExchange = db.prepare(
    'INSERT INTO exchanges (capture_id, idx, started_at, method, host, path, status, severity, verdicts) VALUES (@capture_id, @idx, @started_at, @method, @host, @path, @status, @severity, @verdicts)',
  );
  const insertMessages = db.prepare(`INSERT INTO exchange_messages (capture_id, idx, url, http_version, request_headers, request_body, request_mime, status_text,
      response_version, response_headers, response_body, response_mime, malformed, request_body_capture, response_body_capture)
    VALUES (@capture_id, @idx, @url, @http_version, @request_headers, @request_body, @request_mime, @status_text, @response_version, @response_headers,
      @response_body, @response_mime, @malformed, @request_body_capture, @response_body_capture)`);
  const insertFinding = db.prepare(
    `INSERT INTO findings (capture_id, exchange_idx, seq, direction, scheme, location, verdict, kid, key_id, alg, detail, trace)
     VALUES (@capture_id, @exchange_idx, @seq, @direction, @scheme, @location, @verdict, @kid, @key_id, @alg, @detail, @trace)`,
  );
  const list = db.prepare(`SELECT * FROM captures WHERE state = 'complete' ORDER BY imported_at DESC, id`);
  const get = db.prepare(`SELECT * FROM captures WHERE id = ? AND state = 'complete'`);
  const remove = db.prepare('DELETE FROM captures WHERE id = ?');
  const exists = db.prepare('SELECT 1 FROM captures WHERE id = ?').pluck();
  const unfinished = db.prepare(`SELECT id, importer_pid FROM captures WHERE state = 'importing'`);
  const exchangeRow = db.prepare('SELECT idx, started_at, method, host, path, status, severity, verdicts FROM exchanges WHERE capture_id = ? AND idx = ?');
  const messages = db.prepare('SELECT * FROM exchange_messages WHERE capture_id = ? AND idx = ?');
  const findingsOf = db.prepare('SELECT * FROM findings WHERE capture_id = ? AND exchange_idx = ? ORDER BY seq');
  const allFindings = db.prepare('SELECT * FROM findings WHERE capture_id = ? ORDER BY exchange_idx, seq');
  const storedTotal = db.prepare(`SELECT exchange_count FROM captures WHERE id = ? AND state = 'complete'`);
  // Paging statements vary with the filters given (16 shapes × 2 sorts): each shape is prepared once.
  const statements = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const messagesAfter = db.prepare(
    'SELECT e.idx, e.started_at, e.method, e.status, m.* FROM exchanges e JOIN exchange_messages m USING (capture_id, idx) WHERE e.capture_id = ? AND e.idx > ? ORDER BY e.idx LIMIT 500',
  );

  /** The slim row, the messages and the findings of one exchange. */
  const addExchange = (captureId: string, row: ExchangeRow, message: ExchangeMessages, findings: Finding[]): void => {
    insertExchange.run({
      capture_id: captureId,
      idx: row.index,
      started_at: row.startedAt,
      method: row.method,
      host: row.host,
      path: row.path,
      status: row.status,
      severity: row.severity,
      verdicts: row.verdicts.join(' '),
    });
    insertMessages.run({
      capture_id: captureId,
      idx: row.index,
      url: message.url,
      http_version: message.httpVersion,
      request_headers: JSON.stringify(message.requestHeaders),
      request_body: message.requestBody,
      request_mime: message.requestMime,
      status_text: message.statusText,
      response_version: message.responseVersion,
      response_headers: message.responseHeaders ? JSON.stringify(message.responseHeaders) : null,
      response_body: message.responseBody,
      response_mime: message.responseMime,
      malformed: message.malformed,
      request_body_capture: message.requestBodyCapture,
      response_body_capture: message.responseBodyCapture,
    });
    findings.forEach((finding, seq) =>
      insertFinding.run({
        capture_id: captureId,
        exchange_idx: row.index,
        seq,
        direction: finding.direction,
        scheme: finding.scheme,
        location: finding.location,
        verdict: finding.verdict,
        kid: finding.kid ?? null,
        key_id: finding.keyId ?? null,
        alg: finding.alg ?? null,
        detail: finding.detail,
        trace: finding.trace ? JSON.stringify(finding.trace) : null,
      }),
    );
  };

  return {
    /** Starts an import by this process (its pid tells other processes the import is alive). */
    begin(record: Pick<CaptureRecord, 'id' | 'name' | 'format' | 'fileName' | 'importedAt' | 'checkedAt'>): void {
      insertCapture.run({
        importer_pid: process.pid,
        id: record.id,
        name: record.name,
        format: record.format,
        file_name: record.fileName,
        imported_at: record.importedAt.toISOString(),
        checked_at: record.checkedAt?.toISOString() ?? null,
      });
    },
    addExchange,
    /**
     * One batch of an import, in one transaction, written with synchronous=NORMAL: in WAL mode the
     * database stays consistent through a crash and only the last batches may be lost — which an
     * unfinished import discards anyway (the completing transaction keeps the store's FULL). It spares
     * an fsync per batch: ~10% of a 1 GiB import. (A larger WAL checkpoint interval was measured too:
     * no faster here, and each checkpoint then held the thread for up to 150 ms.) The setting is put
     * back before returning; nothing else runs on this connection meanwhile.
     */
    addBatch(captureId: string, entries: readonly { row: ExchangeRow; messages: ExchangeMessages; findings: Finding[] }[]): void {
      const synchronous = Number(db.pragma('synchronous', { simple: true }));
      db.pragma('synchronous = NORMAL');
      try {
        db.transaction(() => entries.forEach((entry) => addExchange(captureId, entry.row, entry.messages, entry.findings))).immediate();
      } finally {
        db.pragma(`synchronous = ${synchronous}`);
      }
    },
    complete(id: string, totals: { bytes: number; format: CaptureRecord['format']; exchangeCount: number; summary: Partial<Record<Verdict, number>> }): void {
      complete.run({ id, format: totals.format, bytes: totals.bytes, exchange_count: totals.exchangeCount, summary: JSON.stringify(totals.summary) });
    },
    list(): CaptureRecord[] {
      return (list.all() as CaptureRow[]).map(toCapture);
    },
    get(id: string): CaptureRecord | undefined {
      const row = get.get(id) as CaptureRow | undefined;
      return row ? toCapture(row) : undefined;
    },
    delete(id: string): void {
      remove.run(id);
    },
    /** Whether the capture has a row, finished or not. */
    exists(id: string): boolean {
      return exists.get(id) !== undefined;
    },
    /**
     * Imports not finished, with the process running each (null for rows older than the column): those
     * whose process is gone were cut short by a crash or kill, are never shown, and are removed on open.
     */
    unfinishedImports(): { id: string; importerPid: number | null }[] {
      return (unfinished.all() as { id: string; importer_pid: number | null }[]).map((row) => ({ id: row.id, importerPid: row.importer_pid }));
    },
    /**
     * A page of exchanges; every filter and sort runs on an index (migration 005; EXPLAIN QUERY PLAN
     * is checked on a million rows in test/integration/scale/query-plan.test.ts).
     */
    page(query: ExchangeQuery): { rows: ExchangeRow[]; total: number } {
      const sql = pageQueries(query);
      const rows = prepared(sql.rows.sql).all(sql.rows.params) as SlimRow[];
      const total = sql.count === 'stored' ? ((storedTotal.get(query.captureId) as { exchange_count: number } | undefined)?.exchange_count ?? 0) : (prepared(sql.count.sql).get(sql.count.params) as { n: number }).n;
      return { rows: rows.map(toExchangeRow), total };
    },
    exchange(captureId: string, index: number): StoredExchange | undefined {
      const row = exchangeRow.get(captureId, index) as SlimRow | undefined;
      const message = messages.get(captureId, index) as MessageRow | undefined;
      if (!row || !message) return undefined;
      return { row: toExchangeRow(row), messages: toMessages(message), findings: (findingsOf.all(captureId, index) as FindingRow[]).map(toFinding) };
    },
    findings(captureId: string): Finding[] {
      return (allFindings.all(captureId) as FindingRow[]).map(toFinding);
    },
    /**
     * Every exchange with its messages, in file order, read in pages (for export). Pages rather than one
     * iterator: the caller awaits between rows, and an open iterator would keep the connection busy.
     */
    *messagesOf(captureId: string): Generator<{ index: number; startedAt: string | null; method: string; status: number | null; messages: ExchangeMessages }> {
      let after = -1;
      for (;;) {
        const rows = messagesAfter.all(captureId, after) as (MessageRow & { started_at: string | null; method: string; status: number | null })[];
        for (const row of rows) yield { index: row.idx, startedAt: row.started_at, method: row.method, status: row.status, messages: toMessages(row) };
        const last = rows.at(-1);
        if (!last) return;
        after = last.idx;
      }
    },
  };
}

interface MessageRow {
  idx: number;
  url: string;
  http_version: string;
  request_headers: string;
  request_body: Buffer | null;
  request_mime: string | null;
  status_text: string | null;
  response_version: string | null;
  response_headers: string | null;
  response_body: Buffer | null;
  response_mime: string | null;
  malformed: string | null;
  request_body_capture: string | null;
  response_body_capture: string | null;
}

function toMessages(row: MessageRow): ExchangeMessages {
  return {
    url: row.url,
    httpVersion: row.http_version,
    requestHeaders: JSON.parse(row.request_headers) as [string, string][],
    requestBody: row.request_body,
    requestMime: row.request_mime,
    statusText: row.status_text,
    responseVersion: row.response_version,
    responseHeaders: row.response_headers ? (JSON.parse(row.response_headers) as [string, string][]) : null,
    responseBody: row.response_body,
    responseMime: row.response_mime,
    requestBodyCapture: row.request_body_capture as BodyCapture | null,
    responseBodyCapture: row.response_body_capture as BodyCapture | null,
    malformed: row.malformed,
  };
}

interface FindingRow {
  exchange_idx: number;
  direction: string;
  scheme: string;
  location: string;
  verdict: string;
  kid: string | null;
  key_id: string | null;
  alg: string | null;
  detail: string;
  trace: string | null;
}

function toFinding(row: FindingRow): Finding {
  return {
    exchange: row.exchange_idx,
    direction: row.direction as Finding['direction'],
    scheme: row.scheme as Finding['scheme'],
    location: row.location,
    verdict: row.verdict as Verdict,
    ...(row.kid !== null && { kid: row.kid }),
    ...(row.key_id !== null && { keyId: row.key_id }),
    ...(row.alg !== null && { alg: row.alg }),
    detail: row.detail,
    ...(row.trace !== null && { trace: JSON.parse(row.trace) as TraceStep[] }),
  };
}

export type CapturesRepository = ReturnType<typeof capturesRepository>;

