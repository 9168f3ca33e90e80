-- Accounts, sessions, channels, pairs, messages, reactions and read state.
-- Times are ISO 8601 UTC text ("2026-11-28T14:35:12.123456+00:00").

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,          -- stored lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'mentor', 'mentee')),
    password_hash TEXT,                          -- NULL until the user sets one
    expertise     TEXT NOT NULL DEFAULT '',
    bio           TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,               -- sha256 of the cookie value; the token itself is never stored
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    key       TEXT NOT NULL,                     -- 'email:<address>' or 'ip:<address>'
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);

CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('pair', 'mentor_lounge', 'mentee_lounge', 'announcements', 'community')),
    name       TEXT NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    last_seq   INTEGER NOT NULL DEFAULT 0,       -- the channel's change counter
    archived   INTEGER NOT NULL DEFAULT 0,       -- read-only: an ended pair, an archived community
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX channels_one_of_each ON channels (kind)
    WHERE kind IN ('mentor_lounge', 'mentee_lounge', 'announcements');

CREATE TABLE channel_members (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members (user_id);

CREATE TABLE pairs (
    id         INTEGER PRIMARY KEY,
    mentor_id  INTEGER NOT NULL REFERENCES users (id),
    mentee_id  INTEGER NOT NULL REFERENCES users (id),
    channel_id INTEGER NOT NULL UNIQUE REFERENCES channels (id),
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE UNIQUE INDEX pairs_one_active ON pairs (mentor_id, mentee_id) WHERE ended_at IS NULL;

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL REFERENCES channels (id),
    author_id     INTEGER REFERENCES users (id),  -- NULL for system messages
    thread_id     INTEGER REFERENCES messages (id), -- the thread's root; NULL for top-level messages
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'task', 'questionnaire', 'system')),
    body          TEXT NOT NULL,                  -- markdown source
    html          TEXT NOT NULL,                  -- rendered and sanitised on write
    client_id     TEXT,
    created_seq   INTEGER NOT NULL,               -- the seq the message was created at; never changes
    seq           INTEGER NOT NULL,               -- the seq of its latest change
    created_at    TEXT NOT NULL,
    edited_at     TEXT,
    deleted_at    TEXT,
    reply_count   INTEGER NOT NULL DEFAULT 0,
    last_reply_at TEXT
);
CREATE UNIQUE INDEX messages_client_id ON messages (author_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX messages_channel_seq ON messages (channel_id, seq);
CREATE INDEX messages_channel_top ON messages (channel_id, thread_id, id);
CREATE INDEX messages_thread ON messages (thread_id, id);

CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE read_state (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    last_read_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, channel_id)
);
