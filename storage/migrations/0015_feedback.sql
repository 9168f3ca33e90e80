-- Feedback from any page (issue 12): it is a message in the person's coordinator line, with a
-- category and a status on the coordinators' list.  `answered_at` is when a coordinator first
-- wrote in that line after it (set in the write that posts the answer): the reports show how
-- fast coordinators answer.
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id  INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    category    TEXT NOT NULL CHECK (category IN ('question', 'problem', 'idea', 'other')),
    status      TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered', 'closed')),
    created_at  TEXT NOT NULL,
    answered_at TEXT,
    closed_at   TEXT
);
CREATE INDEX feedback_open ON feedback (channel_id) WHERE answered_at IS NULL;
CREATE INDEX feedback_created ON feedback (created_at);
