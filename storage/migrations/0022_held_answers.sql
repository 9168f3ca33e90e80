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

-- The anonymous answers written before this migration were written by the transaction that
-- recorded their author (on PostgreSQL the same xmin, and the same order in the table): each is
-- written again here, all by this one transaction and in a random order, so nothing but the
-- questionnaire groups them any more.  (A dump taken before today still tells what it told.)
CREATE TABLE questionnaire_anonymous_answers_rewritten AS
    SELECT questionnaire_id, token, answers FROM questionnaire_anonymous_answers;
DELETE FROM questionnaire_anonymous_answers;
INSERT INTO questionnaire_anonymous_answers (questionnaire_id, token, answers)
    SELECT questionnaire_id, token, answers FROM questionnaire_anonymous_answers_rewritten
    ORDER BY random();
DROP TABLE questionnaire_anonymous_answers_rewritten;
