-- Search splits words as the search box does (channels/search/query.py: runs of letters,
-- digits and marks) and as SQLite's unicode61 tokenizer does.  PostgreSQL's parser read
-- 'REF-976e9a77c5e7', 'anna.berg@example.org', 'v2.4.1' and '/shared/final.docx' each as one
-- token (a hyphenated word, an e-mail, a version, a path), and '976e9a77c5e7' on its own as a
-- number in scientific notation and a word: what was typed did not find what was written.  The
-- body is now parsed with its ASCII punctuation made spaces, so each word stands alone, as the
-- words of a query always do.  (Only ASCII: other punctuation already separates words, and
-- what counts as a letter beyond ASCII depends on the database's locale.)
ALTER TABLE messages DROP COLUMN search;
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN kind IN ('text', 'task') AND deleted_at IS NULL
         THEN to_tsvector('mentorspace_search'::regconfig,
                          regexp_replace(body, '[!-/:-@[-`{-~]+', ' ', 'g')) END) STORED;
CREATE INDEX messages_search ON messages USING gin (search);
