-- Words stored so that each reader reads them in their own language (issue 13): beside the
-- English text kept as it always was (exports, the API, older clients), the catalogue template
-- and its parameters as JSON (channels/words.py `words_json`), said again in the reader's
-- language where shown.  NULL on rows written before: they read as stored.
ALTER TABLE audit_log ADD COLUMN summary_words TEXT;
-- A system message's notice (channels/chat/notices.py): {"key": ..., "params": {...}}.
ALTER TABLE messages ADD COLUMN notice TEXT;
