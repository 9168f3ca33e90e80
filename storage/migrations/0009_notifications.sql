-- Mentions, notifications, e-mail when away and digest e-mails (issue 11).

-- Who a message mentions, by id: names are rendered from users.name (re-rendered on rename).
CREATE TABLE message_mentions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_mentions_user ON message_mentions (user_id);

-- One line of a person's notification list.  It stores ids only, never text: the sentence is
-- made when it is listed, for its recipient alone, after checking they may still read it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN
                   ('mention', 'reply', 'pair_message', 'task', 'task_due', 'announcement', 'resource')),
    channel_id INTEGER REFERENCES channels (id) ON DELETE CASCADE,  -- NULL only for 'resource'
    message_id INTEGER REFERENCES messages (id),   -- the (latest) message it is about
    thread_id  INTEGER REFERENCES messages (id),   -- the thread to open, when it is in one
    actor_id   INTEGER REFERENCES users (id),      -- who did it (NULL: the programme)
    count      INTEGER NOT NULL DEFAULT 1,         -- 'pair_message': messages batched in it
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    read_at    TEXT,
    mailed_at  TEXT                                -- taken by an away e-mail (claimed once)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_message ON notifications (message_id);
CREATE INDEX notifications_unmailed ON notifications (user_id, created_at)
    WHERE read_at IS NULL AND mailed_at IS NULL;
-- New pair messages while away add up in one open notification per person and channel.
CREATE UNIQUE INDEX notifications_open_pair ON notifications (user_id, channel_id)
    WHERE kind = 'pair_message' AND read_at IS NULL AND mailed_at IS NULL;

-- Kinds a person turned off (no row: on).
CREATE TABLE notification_muted (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Per person: digest frequency, away e-mails, unsubscribing, and when they were last seen.
CREATE TABLE notification_people (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    digest          TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'never')),
    away_mail       INTEGER NOT NULL DEFAULT 1,
    unsubscribed_at TEXT,                          -- the last one-click unsubscribe
    last_seen_at    TEXT                           -- when their last socket closed
);

-- Open sockets: a row per person and server process while they have one there, refreshed
-- by that process (seen_at); a process that died leaves rows that go stale.
CREATE TABLE presence (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    node    TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, node)
);

-- A digest is claimed once per person and period ('day:2026-03-29', 'week:2026-W13'), in the
-- transaction that queues it (or records that there was nothing to send).
CREATE TABLE digest_claims (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'skipped')),
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Opens and clicks of digests, counted per period: never who.
CREATE TABLE digest_counts (
    period  TEXT PRIMARY KEY,
    opened  INTEGER NOT NULL DEFAULT 0,
    clicked INTEGER NOT NULL DEFAULT 0
);
