-- foreign keys off while this runs
-- The coordinator line (issue 12): a channel kind of its own between one participant and the
-- coordinators, all of whom read and answer it.  SQLite changes a CHECK by rebuilding the
-- table (its documented procedure: a new table, the rows copied, the old one dropped, the new
-- one renamed; the tables that refer to `channels` then refer to the new one).  The runner
-- turns foreign keys off for this file and checks them all before the commit.

CREATE TABLE channels_new (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('pair', 'mentor_lounge', 'mentee_lounge',
                                             'announcements', 'community', 'coordinator_line')),
    name       TEXT NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    last_seq   INTEGER NOT NULL DEFAULT 0,       -- the channel's change counter
    archived   INTEGER NOT NULL DEFAULT 0,       -- read-only: an ended pair, an archived community
    created_at TEXT NOT NULL
);
INSERT INTO channels_new (id, kind, name, topic, last_seq, archived, created_at)
    SELECT id, kind, name, topic, last_seq, archived, created_at FROM channels;
DROP TABLE channels;
ALTER TABLE channels_new RENAME TO channels;
CREATE UNIQUE INDEX channels_one_of_each ON channels (kind)
    WHERE kind IN ('mentor_lounge', 'mentee_lounge', 'announcements');

-- Whose line each coordinator line is: at most one per person, made when first used.
CREATE TABLE coordinator_lines (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL UNIQUE REFERENCES channels (id) ON DELETE CASCADE
);

-- A new notification kind, 'line': messages in a coordinator line, added up per person and
-- line like a pair's ('pair_message').  Nothing refers to notifications: a plain rebuild.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('mention', 'reply', 'pair_message', 'line', 'task',
                                              'task_due', 'announcement', 'resource',
                                              'questionnaire', 'satisfaction')),
    channel_id  INTEGER REFERENCES channels (id) ON DELETE CASCADE,  -- NULL only for 'resource'
    message_id  INTEGER REFERENCES messages (id),   -- the (latest) message it is about
    thread_id   INTEGER REFERENCES messages (id),   -- the thread to open, when it is in one
    actor_id    INTEGER REFERENCES users (id),      -- who did it (NULL: the programme)
    count       INTEGER NOT NULL DEFAULT 1,         -- 'pair_message', 'line': messages in it
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    read_at     TEXT,
    mailed_at   TEXT,                               -- taken by an away e-mail (claimed once)
    resource_id INTEGER REFERENCES library_resources (id),  -- 'resource'
    questionnaire_id INTEGER REFERENCES questionnaires (id),  -- 'questionnaire'
    satisfaction_id INTEGER REFERENCES satisfaction_requests (id)  -- 'satisfaction'
);
INSERT INTO notifications_new (id, user_id, kind, channel_id, message_id, thread_id, actor_id,
                               count, created_at, updated_at, read_at, mailed_at, resource_id,
                               questionnaire_id, satisfaction_id)
    SELECT id, user_id, kind, channel_id, message_id, thread_id, actor_id,
           count, created_at, updated_at, read_at, mailed_at, resource_id, questionnaire_id,
           satisfaction_id
      FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_message ON notifications (message_id);
CREATE INDEX notifications_unmailed ON notifications (user_id, created_at)
    WHERE read_at IS NULL AND mailed_at IS NULL;
CREATE INDEX notifications_resource ON notifications (resource_id) WHERE resource_id IS NOT NULL;
CREATE INDEX notifications_questionnaire ON notifications (questionnaire_id, user_id)
    WHERE questionnaire_id IS NOT NULL;
CREATE INDEX notifications_satisfaction ON notifications (satisfaction_id)
    WHERE satisfaction_id IS NOT NULL;
-- New messages of a pair or a line while away add up in one open notification per person
-- and channel.
CREATE UNIQUE INDEX notifications_open_pair ON notifications (user_id, channel_id)
    WHERE kind IN ('pair_message', 'line') AND read_at IS NULL AND mailed_at IS NULL;
