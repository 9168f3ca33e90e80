-- Search (issue 10) on PostgreSQL: its own full-text search, a tsvector of what people wrote
-- kept by the database itself (a generated column, so every insert, edit and delete changes it
-- inside the very write that changed the message) with a GIN index.  Indexed, as on SQLite:
-- `text` and `task` messages not deleted.  The configuration `mentorspace_search` is 'simple'
-- (every word kept, no stemming, whatever the programme's language) with accents folded, as
-- SQLite's `unicode61 remove_diacritics 2`: "cafe" finds "Café", "resume" finds "résumé".
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION mentorspace_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION mentorspace_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH unaccent, simple;
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN kind IN ('text', 'task') AND deleted_at IS NULL
         THEN to_tsvector('mentorspace_search'::regconfig, body) END) STORED;
CREATE INDEX messages_search ON messages USING gin (search);
