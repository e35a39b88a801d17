/**
 * Notifications: what was announced (the in-app center), the reminders already recorded, one delivery
 * row per outside channel with its retry state, the audit cursor, and sealed channel credentials.
 */
export default /* sql */ `
-- Status changes are read from the audit log after this seq. It starts at the log's head, so history
-- written before notifications existed is not replayed as a flood of "created" messages.
CREATE TABLE notification_cursor (
  name TEXT PRIMARY KEY,
  seq  INTEGER NOT NULL
) STRICT;
INSERT INTO notification_cursor (name, seq) SELECT 'audit', coalesce(max(seq), 0) FROM audit_log;

CREATE TABLE notifications (
  id         TEXT PRIMARY KEY,
  event      TEXT NOT NULL,   -- key.created, key.revoked, key.expiring, key.expired, test, ...
  key_id     TEXT,            -- no foreign key: the notice of a deletion outlives its key
  owner      TEXT NOT NULL DEFAULT '',
  title      TEXT NOT NULL,
  body       TEXT NOT NULL,
  facts      TEXT NOT NULL,   -- JSON: kid, name, environment, expiresAt, reason, ... never secret
  audit_seq  INTEGER UNIQUE,  -- one notification per audit row, however many processes run
  in_app     INTEGER NOT NULL CHECK (in_app IN (0, 1)),
  created_at TEXT NOT NULL,
  read_at    TEXT
) STRICT;
CREATE INDEX notifications_created ON notifications (created_at);
CREATE INDEX notifications_unread ON notifications (in_app, read_at);

-- A reminder is recorded once per key, expiry and offset (0 = the expiry itself). The expiry is part
-- of the key so that a renewed certificate (a new expiry) gets its own reminders.
CREATE TABLE reminder_marks (
  key_id          TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  days_before     INTEGER NOT NULL CHECK (days_before >= 0),
  notification_id TEXT NOT NULL REFERENCES notifications (id),
  PRIMARY KEY (key_id, expires_at, days_before)
) STRICT;

CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  notification_id TEXT NOT NULL REFERENCES notifications (id),
  channel         TEXT NOT NULL CHECK (channel IN ('os', 'email', 'webhook')),
  target          TEXT NOT NULL DEFAULT '',   -- addresses or URL, as configured when queued
  secret_ref      TEXT,                       -- notification_secrets.id used to sign or log in
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  claimed_until   TEXT,                       -- a sender's lease, so two processes never both send
  last_error      TEXT,
  sent_at         TEXT,
  UNIQUE (notification_id, channel)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

-- SMTP password and webhook signing secrets, sealed by the vault with the row id as additional data.
CREATE TABLE notification_secrets (
  id         TEXT PRIMARY KEY,
  sealed     BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
`;
