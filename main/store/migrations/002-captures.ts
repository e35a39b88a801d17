/**
 * Captures, their exchanges and findings, and API keys seen in traffic (hash + last four only).
 * Exchanges are split: a slim row for listing, filtering and sorting on indexes (a capture may hold a
 * million), and the headers and bodies apart, read one exchange at a time.
 */
export default /* sql */ `
CREATE TABLE captures (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  format         TEXT NOT NULL CHECK (format IN ('har', 'raw-http')),
  file_name      TEXT,
  bytes          INTEGER NOT NULL DEFAULT 0,
  state          TEXT NOT NULL CHECK (state IN ('importing', 'complete')),
  imported_at    TEXT NOT NULL,
  checked_at     TEXT,          -- the --at moment used for every exchange, when one was given
  exchange_count INTEGER NOT NULL DEFAULT 0,
  summary        TEXT NOT NULL DEFAULT '{}' -- JSON {verdict: count}
) STRICT;

CREATE TABLE exchanges (
  capture_id  TEXT NOT NULL REFERENCES captures (id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  started_at  TEXT,
  method      TEXT NOT NULL,
  host        TEXT NOT NULL,
  path        TEXT NOT NULL,
  status      INTEGER,          -- NULL when there was no response
  severity    INTEGER NOT NULL, -- of the worst finding: sorts problems first
  verdicts    TEXT NOT NULL,    -- space-separated scheme:verdict badges
  PRIMARY KEY (capture_id, idx)
) STRICT;
CREATE INDEX exchanges_host ON exchanges (capture_id, host, idx);
CREATE INDEX exchanges_method ON exchanges (capture_id, method, idx);
CREATE INDEX exchanges_severity ON exchanges (capture_id, severity, idx);
CREATE INDEX exchanges_status ON exchanges (capture_id, status, idx);

CREATE TABLE exchange_messages (
  capture_id       TEXT NOT NULL REFERENCES captures (id) ON DELETE CASCADE,
  idx              INTEGER NOT NULL,
  url              TEXT NOT NULL,
  http_version     TEXT NOT NULL,
  request_headers  TEXT NOT NULL, -- JSON [[name, value], …]
  request_body     BLOB,
  request_mime     TEXT,
  status_text      TEXT,
  response_version TEXT,
  response_headers TEXT,
  response_body    BLOB,
  response_mime    TEXT,
  malformed        TEXT,          -- why the entry could not be read, for malformed entries
  PRIMARY KEY (capture_id, idx)
) STRICT;

CREATE TABLE findings (
  capture_id   TEXT NOT NULL REFERENCES captures (id) ON DELETE CASCADE,
  exchange_idx INTEGER NOT NULL,
  seq          INTEGER NOT NULL,
  direction    TEXT NOT NULL CHECK (direction IN ('request', 'response')),
  scheme       TEXT NOT NULL,
  location     TEXT NOT NULL,
  verdict      TEXT NOT NULL,
  kid          TEXT,
  key_id       TEXT,
  alg          TEXT,
  detail       TEXT NOT NULL,
  trace        TEXT,            -- JSON steps: kid → key → status at that time → result
  PRIMARY KEY (capture_id, exchange_idx, seq)
) STRICT;
CREATE INDEX findings_verdict ON findings (capture_id, verdict, exchange_idx);
CREATE INDEX findings_scheme ON findings (capture_id, scheme, exchange_idx);
CREATE INDEX findings_key ON findings (key_id);

CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  header     TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE, -- HMAC-SHA-256 of the value under the store's api-key salt
  last4      TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
`;
