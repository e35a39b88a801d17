/**
 * Workbench state: ephemeral key sessions (the browser-side scheme: a key pair made for one response,
 * destroyed after use) and key-agreement exchanges (the client's private half until the answer comes,
 * then the derived key). Private material is vault-sealed with the row id as additional data.
 */
export default /* sql */ `
CREATE TABLE ephemeral_sessions (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN ('ec', 'rsa')),
  public_der     BLOB NOT NULL,
  private_sealed BLOB,            -- NULL once destroyed
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL,
  destroyed_at   TEXT,
  destroyed_why  TEXT CHECK (destroyed_why IN ('used', 'expired', 'deleted'))
) STRICT;
CREATE INDEX ephemeral_live ON ephemeral_sessions (expires_at) WHERE destroyed_at IS NULL;

CREATE TABLE agreements (
  id                  TEXT NOT NULL,    -- the client_reference_id once known; a local ref before
  role                TEXT NOT NULL CHECK (role IN ('client', 'server')),
  scheme              TEXT,
  spec                TEXT NOT NULL,    -- the ClientKeyDerivationSpec JSON (public)
  info                TEXT,             -- the ServerKeyDerivationInfo JSON (public)
  state_sealed        BLOB,             -- client: private half until finished
  key_sealed          BLOB,             -- the derived key once agreed
  created_at          TEXT NOT NULL,
  expires_at          TEXT NOT NULL,
  -- One console may play both sides (the workbench helper): the same reference as client and server.
  PRIMARY KEY (id, role)
) STRICT;
`;
