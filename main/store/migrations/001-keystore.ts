/** The keystore: keys and secrets (private parts sealed by the vault), settings, meta, audit log. */
export default /* sql */ `
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL -- JSON
) STRICT;

CREATE TABLE keys (
  id                TEXT PRIMARY KEY,
  kid               TEXT NOT NULL UNIQUE,
  name              TEXT NOT NULL,
  owner             TEXT NOT NULL DEFAULT '',
  environment       TEXT NOT NULL DEFAULT '',
  type              TEXT NOT NULL CHECK (type IN ('rsa', 'ec', 'ed25519', 'x25519', 'hmac')),
  size              INTEGER,
  curve             TEXT,
  use               TEXT CHECK (use IN ('sig', 'enc')),
  alg               TEXT,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
  source            TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
  app_id            TEXT UNIQUE,
  thumbprint        TEXT,
  public_der        BLOB,           -- SPKI DER; NULL for HMAC secrets
  private_sealed    BLOB,           -- vault-sealed PKCS#8 DER or secret bytes; NULL for trust-store entries
  certificate_der   BLOB,
  chain             TEXT,           -- JSON array of base64 DER: the rest of an imported chain
  created_at        TEXT NOT NULL,
  not_before        TEXT,
  expires_at        TEXT,
  revoked_at        TEXT,
  revocation_reason TEXT,
  CHECK (type = 'hmac' OR public_der IS NOT NULL),
  CHECK (type <> 'hmac' OR private_sealed IS NOT NULL)
) STRICT;
CREATE INDEX keys_owner ON keys (owner);
CREATE INDEX keys_expires ON keys (expires_at);

CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  action    TEXT NOT NULL,
  key_id    TEXT,
  detail    TEXT NOT NULL, -- JSON, never secret
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_key ON audit_log (key_id);

-- Append-only: the application never edits history. (Someone with the file can drop these
-- triggers; the hash chain is what detects that.)
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;
