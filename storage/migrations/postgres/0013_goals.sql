-- Goals and satisfaction (issue 12).
--
-- A pair's goals, each with a few milestones and a status.  Their words are pair content: only
-- the two people of the pair read them (the policy of their pair channel); everyone else, the
-- coordinators included, gets counts.  Each goal has a card in the pair channel: a message of
-- kind 'text' linked here (as `message_resources` links a shared library resource), which takes
-- its channel's next seq whenever the goal or one of its milestones changes, so open pages and
-- syncing clients draw it again.  Goals are not indexed for search.
CREATE TABLE goals (
    id         INTEGER PRIMARY KEY,
    pair_id    INTEGER NOT NULL REFERENCES pairs (id),
    title      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'achieved', 'dropped')),
    position   INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),     -- who changed it (or a milestone) last
    updated_at TEXT NOT NULL
);
CREATE INDEX goals_pair ON goals (pair_id, position);

CREATE TABLE goal_milestones (
    id       INTEGER PRIMARY KEY,
    goal_id  INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    title    TEXT NOT NULL,
    position INTEGER NOT NULL,
    done_at  TEXT,
    done_by  INTEGER REFERENCES users (id)
);
CREATE INDEX goal_milestones_goal ON goal_milestones (goal_id, position);

-- The card of each goal: one message, one goal.  Removing a goal removes its row here and
-- leaves the message as a deleted one (a tombstone that syncs).
CREATE TABLE message_goals (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    goal_id    INTEGER NOT NULL UNIQUE REFERENCES goals (id) ON DELETE CASCADE
);

-- Satisfaction: when a pair ends, or when a coordinator asks for an active pair, both people
-- are asked 1 to 5 on their relationship and on progress toward the goal, and may add a comment
-- addressed to the coordinators.  A request takes answers until a coordinator closes it or
-- `closes_at` (30 days after it opened) passes; each person's answer can be changed until then.
CREATE TABLE satisfaction_requests (
    id           INTEGER PRIMARY KEY,
    pair_id      INTEGER NOT NULL REFERENCES pairs (id),
    reason       TEXT NOT NULL CHECK (reason IN ('pair_ended', 'coordinator')),
    requested_by INTEGER REFERENCES users (id),     -- the coordinator who asked, or ended the pair
    opened_at    TEXT NOT NULL,
    closes_at    TEXT NOT NULL,
    closed_at    TEXT,                              -- closed early by a coordinator
    closed_by    INTEGER REFERENCES users (id)
);
CREATE INDEX satisfaction_requests_pair ON satisfaction_requests (pair_id, id);

-- One row per person asked, made with the request (so "has not answered" is a row without
-- scores), changed in place when they answer.  The partner never reads it; coordinators do.
CREATE TABLE satisfaction_answers (
    request_id   INTEGER NOT NULL REFERENCES satisfaction_requests (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),   -- in the pair, when asked
    relationship INTEGER CHECK (relationship BETWEEN 1 AND 5),
    progress     INTEGER CHECK (progress BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',          -- addressed to the coordinators
    answered_at  TEXT,
    changed_at   TEXT,
    PRIMARY KEY (request_id, user_id),
    CHECK ((relationship IS NULL) = (answered_at IS NULL) AND (progress IS NULL) = (answered_at IS NULL))
);
CREATE INDEX satisfaction_answers_user ON satisfaction_answers (user_id);

-- A notification kind 'satisfaction', naming the request: PostgreSQL changes the CHECK in
-- place (SQLite rebuilds the table).
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN
        ('mention', 'reply', 'pair_message', 'task', 'task_due', 'announcement',
         'resource', 'questionnaire', 'satisfaction')),
    ADD COLUMN satisfaction_id INTEGER REFERENCES satisfaction_requests (id);  -- 'satisfaction': which request
CREATE INDEX notifications_satisfaction ON notifications (satisfaction_id)
    WHERE satisfaction_id IS NOT NULL;
