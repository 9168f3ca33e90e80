-- Search splits words as the search box does (channels/search/query.py: runs of letters,
-- digits and marks).  SQLite's unicode61 tokenizer always has; PostgreSQL's parser did not (its
-- own form of this migration, in postgres/).  Nothing to change here.
SELECT 1;
