-- Search scoped by channel (issue 10, its speed): the index of migration 0007 gets a second
-- column, `channel`, holding one token that names the message's channel: `c` and the channel's
-- id (`c42`).  A search then asks the index for its words *in the person's channels*
-- (`channel : ("c1" OR "c7" …) AND body : (…)`, storage/queries/search.py), so FTS5 alone
-- finds, counts and ranks the hits one may read, without looking up every hit of a common word
-- in `messages` to learn its channel.  People's words are only ever matched in `body`: the
-- storage call puts every word it is given inside `body : (…)`, so typing `c42` finds a message
-- that says "c42", never the messages of channel 42.
--
-- The channel token only narrows the search; the storage call still checks each hit's channel
-- in `messages`, so what a person finds never depends on this column being right.  The
-- triggers keep it so: a message that changes channel leaves the index under the old one and
-- enters it under the new one.  Indexed, as before: `text` and `task` messages not deleted.

DROP TRIGGER message_search_insert;
DROP TRIGGER message_search_update;
DROP TRIGGER message_search_delete;
DROP TABLE message_search;
DROP VIEW message_search_source;

CREATE VIEW message_search_source AS
    SELECT id, body, 'c' || channel_id AS channel FROM messages
     WHERE kind IN ('text', 'task') AND deleted_at IS NULL;

CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    channel,
    content = 'message_search_source',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_search_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'task') AND new.deleted_at IS NULL
BEGIN
    INSERT INTO message_search (rowid, body, channel) VALUES (new.id, new.body, 'c' || new.channel_id);
END;

-- Only these columns change what is indexed; seq, reply counts and reactions do not fire it.
CREATE TRIGGER message_search_update AFTER UPDATE OF body, kind, deleted_at, channel_id ON messages
BEGIN
    -- An external-content index forgets a row given exactly the values it indexed: the old ones.
    INSERT INTO message_search (message_search, rowid, body, channel)
    SELECT 'delete', old.id, old.body, 'c' || old.channel_id
     WHERE old.kind IN ('text', 'task') AND old.deleted_at IS NULL;
    INSERT INTO message_search (rowid, body, channel)
    SELECT new.id, new.body, 'c' || new.channel_id
     WHERE new.kind IN ('text', 'task') AND new.deleted_at IS NULL;
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages
WHEN old.kind IN ('text', 'task') AND old.deleted_at IS NULL
BEGIN
    INSERT INTO message_search (message_search, rowid, body, channel)
    VALUES ('delete', old.id, old.body, 'c' || old.channel_id);
END;

-- Every message indexed so far, again, with its channel.
INSERT INTO message_search (message_search) VALUES ('rebuild');
