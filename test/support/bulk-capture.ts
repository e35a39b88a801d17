import type { Session } from '../../main/services/session.ts';

/**
 * A stored capture of `exchanges` exchanges written straight in SQL (a million in seconds, where an
 * import would take minutes), for the query plans of test/integration/scale and the UI benchmark of
 * bench/ui.ts. Exchange i is `GET` when i % 4 = 0 else `POST`, on host `h{i % 50}.test`, path
 * `/orders/{i}`, severity (i × 7919) % 7; its finding is jws, jwt or hmac-opg by i % 3, `replay` when
 * i % 1000 = 7, `invalid` when i % 10 = 0, else `valid`; every fifth exchange has a second, jws finding
 * with the same verdict. No messages are written: the list has all it shows, the detail pane nothing.
 */
export function fillBulkCapture(session: Session, capture: { id: string; name: string; exchanges: number }): void {
  const { db } = session;
  const params = { captureId: capture.id, name: capture.name, exchanges: capture.exchanges, last: capture.exchanges - 1 };
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  // A scratch store: nothing to lose if the machine stops mid-fill.
  db.pragma('synchronous = OFF');
  try {
    session.transaction(() => {
      db.prepare(
        `INSERT INTO captures (id, name, format, file_name, state, imported_at, exchange_count) VALUES (@captureId, @name, 'har', @name, 'complete', '2026-11-23T00:00:00Z', @exchanges)`,
      ).run(params);
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @last)
        INSERT INTO findings (capture_id, exchange_idx, seq, direction, scheme, location, verdict, detail)
        SELECT @captureId, i, 0, 'request', CASE i % 3 WHEN 0 THEN 'jws' WHEN 1 THEN 'jwt' ELSE 'hmac-opg' END, 'body',
          CASE WHEN i % 1000 = 7 THEN 'replay' WHEN i % 10 = 0 THEN 'invalid' ELSE 'valid' END, '-' FROM n`,
      ).run(params);
      // A second finding on every fifth exchange: filters must not count an exchange twice.
      db.prepare(
        `INSERT INTO findings (capture_id, exchange_idx, seq, direction, scheme, location, verdict, detail)
        SELECT capture_id, exchange_idx, 1, 'request', 'jws', 'header:signature', verdict, '-' FROM findings WHERE capture_id = @captureId AND exchange_idx % 5 = 0`,
      ).run(params);
      // The badges the list shows, one per distinct scheme:verdict, as an import writes them.
      db.prepare(
        `INSERT INTO exchanges (capture_id, idx, started_at, method, host, path, status, severity, verdicts)
        SELECT @captureId, f.exchange_idx, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-06-01 12:00:00', '+' || (f.exchange_idx / 10) || ' seconds'),
          CASE f.exchange_idx % 4 WHEN 0 THEN 'GET' ELSE 'POST' END, 'h' || (f.exchange_idx % 50) || '.test', '/orders/' || f.exchange_idx, 200,
          (f.exchange_idx * 7919) % 7, f.scheme || ':' || f.verdict || CASE WHEN f.exchange_idx % 5 = 0 AND f.scheme <> 'jws' THEN ' jws:' || f.verdict ELSE '' END
        FROM findings f WHERE f.capture_id = @captureId AND f.seq = 0 ORDER BY f.exchange_idx`,
      ).run(params);
      db.prepare(
        `UPDATE captures SET summary = (SELECT json_group_object(verdict, n) FROM (SELECT verdict, count(*) AS n FROM findings WHERE capture_id = @captureId GROUP BY verdict)) WHERE id = @captureId`,
      ).run(params);
    });
  } finally {
    db.pragma(`synchronous = ${synchronous}`);
  }
}
