-- Search (issue 10) on PostgreSQL: its own full-text search, a tsvector of what people wrote
-- kept by the database itself (a generated column, so every insert, edit and delete changes it
-- inside the very write that changed the message) with a GIN index.  Indexed, as on SQLite:
-- `text` and `task` messages not deleted.  The 'simple' configuration folds case and keeps
-- every word (no stemming, no stop words), whatever the programme's language.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN kind IN ('text', 'task') AND deleted_at IS NULL
         THEN to_tsvector('simple'::regconfig, body) END) STORED;
CREATE INDEX messages_search ON messages USING gin (search);
