-- Programme administration: invitation and reset links, the mail outbox, the audit log of
-- coordinator actions, and the per-role menu.

-- Single-use links to set a password.  Only the sha256 of the token is stored.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT                              -- set when used, or when a newer link replaces it
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Mail waiting to go out, written in the same transaction as the action that causes it.
-- The message is stored whole (headers included, Message-ID fixed), so every retry sends the
-- very same mail and a receiver can tell a repeat.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT NOT NULL,               -- the envelope address
    subject         TEXT NOT NULL,               -- for the coordinator's list; also in the message
    message         TEXT NOT NULL,               -- RFC 5322 text
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,                        -- a sender is working on it until then
    sent_at         TEXT,
    failed_at       TEXT,                        -- gave up after the last attempt
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Every coordinator action: who, what, when.  Never content of a pair channel.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id),   -- NULL when done from the command line
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,                   -- 'user.created', 'pair.ended', ...
    target_type TEXT NOT NULL,                   -- 'user', 'pair', 'channel', 'menu', 'announcement'
    target_id   INTEGER,
    summary     TEXT NOT NULL,                   -- one sentence a person can read
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (created_at, id);

-- The menu of each role, in order.  No rows for a role: its default menu.
CREATE TABLE menu_items (
    role     TEXT NOT NULL CHECK (role IN ('coordinator', 'mentor', 'mentee')),
    position INTEGER NOT NULL,
    item     TEXT NOT NULL,                      -- a built-in item ('pair', 'library', ...) or 'link'
    label    TEXT NOT NULL,
    url      TEXT,                               -- for 'link' items only
    visible  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (role, position)
);

-- One mentor at a time for each mentee: re-pairing ends the old pair first.
CREATE UNIQUE INDEX pairs_one_mentor_per_mentee ON pairs (mentee_id) WHERE ended_at IS NULL;
CREATE INDEX pairs_mentor ON pairs (mentor_id) WHERE ended_at IS NULL;
