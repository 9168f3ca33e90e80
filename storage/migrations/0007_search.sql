-- Search (issue 10): a full-text index over what people wrote, kept in step with the messages
-- table by triggers, so every insert, edit and delete changes the index inside the very write
-- (and transaction) that changed the message.  Nothing else writes to it.
--
-- What is indexed: `text` messages (people's words) and `task` messages (the prompt a pair works
-- on, written by coordinators for people to read).  Not `system` messages (pairing notices,
-- task reminders: the same boilerplate in every pair channel, naming both people, which would
-- bury real hits under noise) nor `questionnaire` links.  A deleted message's content is gone
-- (`mark_message_deleted` empties the body and sets deleted_at), and so is it from the index.
--
-- External content: the words live in `messages.body` only; the index keeps the tokens and
-- reads the text back (for snippets) through the view below, which is exactly the set of rows
-- indexed, so FTS5's 'rebuild' and 'integrity-check' agree with the triggers.  Which channels
-- a search may look in is decided by joining `messages` (storage/queries/search.py).
-- `unicode61 remove_diacritics 2` folds case and accents: "cafe" finds "Café", "resume" finds
-- "résumé".

CREATE VIEW message_search_source AS
    SELECT id, body FROM messages
     WHERE kind IN ('text', 'task') AND deleted_at IS NULL;

CREATE VIRTUAL TABLE message_search USING fts5(
    body,
    content = 'message_search_source',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_search_insert AFTER INSERT ON messages
WHEN new.kind IN ('text', 'task') AND new.deleted_at IS NULL
BEGIN
    INSERT INTO message_search (rowid, body) VALUES (new.id, new.body);
END;

-- Only these columns change what is indexed; seq, reply counts and reactions do not fire it.
CREATE TRIGGER message_search_update AFTER UPDATE OF body, kind, deleted_at ON messages
BEGIN
    -- An external-content index forgets a row given exactly the values it indexed: the old ones.
    INSERT INTO message_search (message_search, rowid, body)
    SELECT 'delete', old.id, old.body
     WHERE old.kind IN ('text', 'task') AND old.deleted_at IS NULL;
    INSERT INTO message_search (rowid, body)
    SELECT new.id, new.body
     WHERE new.kind IN ('text', 'task') AND new.deleted_at IS NULL;
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages
WHEN old.kind IN ('text', 'task') AND old.deleted_at IS NULL
BEGIN
    INSERT INTO message_search (message_search, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- The messages written before this migration.
INSERT INTO message_search (message_search) VALUES ('rebuild');
