-- Files people upload: attachments of messages (and, later, whatever else refers to a file).
-- The bytes live in the file store (DATA_DIR/files), content-addressed by sha256 and shared by
-- every row with the same bytes; a row is one upload, by one person, with its own random
-- public id and display name.  A row not attached to anything within a day is removed.

CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT NOT NULL UNIQUE,            -- random, 128 bits or more: the id in every URL
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    sha256       TEXT NOT NULL,                   -- the blob in the file store
    size         INTEGER NOT NULL,
    mime         TEXT NOT NULL,                   -- sniffed from the content, never from the name
    name         TEXT NOT NULL,                   -- for display only, cleaned
    created_at   TEXT NOT NULL,
    attached_at  TEXT,                            -- NULL until attached; unattached rows expire
    message_id   INTEGER REFERENCES messages (id),
    position     INTEGER,                         -- its place among the message's attachments
    width        INTEGER,                         -- an image's size in pixels, upright
    height       INTEGER,
    thumb_sha256 TEXT,                            -- an image's thumbnail, a blob of its own
    thumb_size   INTEGER,
    thumb_mime   TEXT,
    thumb_width  INTEGER,
    thumb_height INTEGER
);
CREATE INDEX files_message ON files (message_id, position) WHERE message_id IS NOT NULL;
CREATE INDEX files_unattached ON files (created_at) WHERE attached_at IS NULL;
CREATE INDEX files_uploader ON files (uploader_id);
CREATE INDEX files_sha256 ON files (sha256);
CREATE INDEX files_thumb_sha256 ON files (thumb_sha256) WHERE thumb_sha256 IS NOT NULL;
