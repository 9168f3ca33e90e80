-- The coordinator line (issue 12): a channel kind of its own between one participant and the
-- coordinators, all of whom read and answer it.  PostgreSQL changes the CHECKs in place
-- (SQLite rebuilds the tables).
ALTER TABLE channels
    DROP CONSTRAINT channels_kind_check,
    ADD CONSTRAINT channels_kind_check CHECK (kind IN ('pair', 'mentor_lounge', 'mentee_lounge',
                                                       'announcements', 'community', 'coordinator_line'));

-- Whose line each coordinator line is: at most one per person, made when first used.
CREATE TABLE coordinator_lines (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL UNIQUE REFERENCES channels (id) ON DELETE CASCADE
);

-- A new notification kind, 'line': messages in a coordinator line, added up per person and
-- line like a pair's ('pair_message').
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'reply', 'pair_message', 'line', 'task',
                                                            'task_due', 'announcement', 'resource',
                                                            'questionnaire', 'satisfaction'));
-- New messages of a pair or a line while away add up in one open notification per person
-- and channel.
DROP INDEX notifications_open_pair;
CREATE UNIQUE INDEX notifications_open_pair ON notifications (user_id, channel_id)
    WHERE kind IN ('pair_message', 'line') AND read_at IS NULL AND mailed_at IS NULL;
