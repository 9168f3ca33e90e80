-- The language each person reads the interface in (issue 13): 'en', 'da', or '' for the
-- programme's own (the language of its --locale).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
