-- The welcome a mentor or mentee reads at first login (issue 13): what the pair channel is,
-- the lounges, where help is.  A row says they have read it ("Got it"), and when.  People who
-- have already written something used the programme before this welcome existed: they are
-- not welcomed again.
CREATE TABLE welcomes (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO welcomes (user_id, seen_at)
SELECT DISTINCT author_id, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
FROM messages
WHERE author_id IS NOT NULL;
