-- A reported message (issue 12): the one exception to a pair's confidentiality, chosen by a
-- member of it.  After the reporter confirms, a copy of that one message as it was then (its
-- text, its author, where it was written) and the reporter's note are kept here, so an edit or
-- a deletion by its author later hides nothing from the coordinators; nothing else of its
-- channel is ever copied.  It also arrives in the reporter's coordinator line as a message
-- (`line_message_id`), where the coordinators answer.
CREATE TABLE message_flags (
    id              INTEGER PRIMARY KEY,
    reporter_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    channel_id      INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    channel_kind    TEXT NOT NULL,
    channel_name    TEXT NOT NULL,
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_name     TEXT NOT NULL,
    body            TEXT NOT NULL,                  -- the message's markdown source, then
    html            TEXT NOT NULL,                  -- and its sanitised HTML, then
    written_at      TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    line_message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'handled')),
    created_at      TEXT NOT NULL,
    handled_at      TEXT
);
-- One report of a message per person: reporting it again returns the first.
CREATE UNIQUE INDEX message_flags_once ON message_flags (reporter_id, message_id);
CREATE INDEX message_flags_status ON message_flags (status, id);
