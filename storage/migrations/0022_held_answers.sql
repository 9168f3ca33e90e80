-- Anonymous answers waiting to be released (issue 14).  An anonymous answer is not written into
-- questionnaire_anonymous_answers when it is given: on PostgreSQL a row's system columns (xmin,
-- the transaction that wrote it; ctid, where it lies) and a dump's row order would line it up
-- with the row that says who answered.  It waits here, sealed, in a write of its own (never the
-- one that records who answered), and is released into questionnaire_anonymous_answers, under a
-- new random token, in a shuffled batch of at least three (channels/questionnaires/releasing.py).
CREATE TABLE questionnaire_held_answers (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    -- HMAC of (questionnaire, person) under a key made from the server's secret: one held answer
    -- per person (a retry replaces it), and nothing that names anyone without the secret.
    holder           TEXT NOT NULL,
    -- The answers, AES-GCM under another key made from the secret: unreadable in a dump.
    sealed           TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, holder)
) WITHOUT ROWID;
