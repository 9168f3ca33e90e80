-- Questionnaires (issue 12): coordinators build them, assign them to people for a while, and
-- read the results.  An anonymous questionnaire keeps its answers with no link to the person:
-- who has answered is one table, what was answered another, and nothing joins the two.

CREATE TABLE questionnaires (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    intro         TEXT NOT NULL DEFAULT '',       -- markdown, shown above the questions
    anonymous     INTEGER NOT NULL DEFAULT 0,
    -- The assignment; all NULL while it is a draft.  Who: `roles` among the people of the
    -- target (as a task schedule's: everyone, chosen pairs, or pairs started between dates).
    assigned_at   TEXT,
    roles         TEXT,                           -- a JSON list of 'mentor', 'mentee'
    target        TEXT CHECK (target IN ('all', 'pairs', 'started_between')),
    target_pairs  TEXT,                           -- 'pairs': a JSON list of pair ids
    started_from  TEXT,                           -- 'started_between': at or after this instant
    started_until TEXT,                           -- ... and before this one
    opens_at      TEXT,
    closes_at     TEXT,                           -- answers are taken before this instant
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((assigned_at IS NULL) = (opens_at IS NULL) AND (opens_at IS NULL) = (closes_at IS NULL))
);
CREATE INDEX questionnaires_assigned ON questionnaires (closes_at) WHERE assigned_at IS NOT NULL;

CREATE TABLE questionnaire_questions (
    id               INTEGER PRIMARY KEY,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL
                         CHECK (kind IN ('single', 'multiple', 'scale', 'short_text', 'long_text')),
    prompt           TEXT NOT NULL,
    options          TEXT NOT NULL DEFAULT '[]',  -- JSON: the choices; for 'scale' the words for 1 and 5
    required         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX questionnaire_questions_order ON questionnaire_questions (questionnaire_id, position);

-- The card of an open questionnaire in one place (a pair channel, a lounge).  The row is the
-- claim: inserted with ON CONFLICT DO NOTHING in the write that posts the card, so however
-- many server processes run, each place gets its card once.
CREATE TABLE questionnaire_cards (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    channel_id       INTEGER NOT NULL REFERENCES channels (id),
    message_id       INTEGER UNIQUE REFERENCES messages (id),
    PRIMARY KEY (questionnaire_id, channel_id)
);

-- Who has answered, named or anonymous: for "you answered", reminders and the response rate
-- per role (the role they answered in).  No time, and WITHOUT ROWID: no hidden counter
-- either, so the order of these rows says nothing an anonymous answer could be lined up with.
CREATE TABLE questionnaire_respondents (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, user_id)
) WITHOUT ROWID;

-- Named answers: one row per person, changed in place until the questionnaire closes.
CREATE TABLE questionnaire_answers (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answers          TEXT NOT NULL,               -- JSON: {"question id": answer}
    answered_at      TEXT NOT NULL,
    changed_at       TEXT,
    PRIMARY KEY (questionnaire_id, user_id)
);

-- Anonymous answers: no person, no time, and as the only key a random token made for this one
-- answer (WITHOUT ROWID: no rowid counting up in the order they came), so nothing here joins
-- to questionnaire_respondents, the notifications or a log line.  Never changed once written.
CREATE TABLE questionnaire_anonymous_answers (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    token            TEXT NOT NULL,               -- 128 random bits, hex
    answers          TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, token)
) WITHOUT ROWID;

-- Reminders, claimed once per questionnaire, person and moment: 'open' (it is there for you)
-- and 'closing' (a day before it closes, if you have not answered).
CREATE TABLE questionnaire_reminders (
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    moment           TEXT NOT NULL CHECK (moment IN ('open', 'closing')),
    PRIMARY KEY (questionnaire_id, user_id, moment)
) WITHOUT ROWID;

-- A notification kind 'questionnaire', about one questionnaire: PostgreSQL changes the CHECK
-- in place (SQLite rebuilds the table).
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN
        ('mention', 'reply', 'pair_message', 'task', 'task_due', 'announcement',
         'resource', 'questionnaire')),
    ADD COLUMN questionnaire_id INTEGER REFERENCES questionnaires (id);  -- 'questionnaire': which one
CREATE INDEX notifications_questionnaire ON notifications (questionnaire_id, user_id)
    WHERE questionnaire_id IS NOT NULL;
