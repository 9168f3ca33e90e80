-- A person changes their own e-mail address through a link sent to the new address: a third
-- kind of account link, which carries the address it confirms.  SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt (nothing references it).
CREATE TABLE account_tokens_new (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset', 'email')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,                             -- set when used, or when a newer link replaces it
    new_email  TEXT,                             -- the address an 'email' link confirms
    CHECK ((purpose = 'email') = (new_email IS NOT NULL))
);
INSERT INTO account_tokens_new (token_hash, user_id, purpose, created_at, expires_at, used_at)
    SELECT token_hash, user_id, purpose, created_at, expires_at, used_at FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_new RENAME TO account_tokens;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
