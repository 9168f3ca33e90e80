-- Scheduled tasks: templates coordinators write, schedules that post them into pair channels,
-- and one row per posted (schedule, pair, occurrence) holding the task's completion state.
-- Times are ISO 8601 UTC text, as everywhere else.

CREATE TABLE task_templates (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,                    -- markdown source; rendered when posted
    due_days    INTEGER,                          -- due this many days after posting; NULL: no due date
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT                              -- hidden and its schedules cancelled; posted tasks stay
);

CREATE TABLE task_schedules (
    id            INTEGER PRIMARY KEY,
    template_id   INTEGER NOT NULL REFERENCES task_templates (id),
    kind          TEXT NOT NULL CHECK (kind IN ('now', 'at', 'pair_day', 'weekly')),
    at            TEXT,                           -- 'now', 'at': the instant
    pair_day      INTEGER,                        -- 'pair_day': 1 is the day the pair started
    weekday       INTEGER,                        -- 'weekly': 0 is Monday
    time_of_day   TEXT,                           -- 'pair_day', 'weekly': 'HH:MM' in the programme's time zone
    until         TEXT,                           -- 'weekly': the last instant an occurrence may fall on
    target        TEXT NOT NULL CHECK (target IN ('all', 'pairs', 'started_between')),
    target_pairs  TEXT,                           -- 'pairs': a JSON list of pair ids
    started_from  TEXT,                           -- 'started_between': pairs started at or after this instant
    started_until TEXT,                           -- ... and before this one
    state         TEXT NOT NULL CHECK (state IN ('active', 'paused', 'cancelled', 'finished')),
    active_from   TEXT NOT NULL,                  -- occurrences due before this are never posted (creation, edit, resume)
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX task_schedules_template ON task_schedules (template_id);
CREATE INDEX task_schedules_live ON task_schedules (state) WHERE state = 'active';

-- A row here is the claim: inserted with ON CONFLICT DO NOTHING inside the transaction that
-- posts the message, so however many scheduler processes race, exactly one posts.
CREATE TABLE task_occurrences (
    id           INTEGER PRIMARY KEY,
    schedule_id  INTEGER NOT NULL REFERENCES task_schedules (id),
    pair_id      INTEGER NOT NULL REFERENCES pairs (id),
    occurrence   TEXT NOT NULL,                   -- 'once', 'day', or the ISO week ('2026-W14') of a weekly one
    scheduled_at TEXT NOT NULL,                   -- when it was due to be posted
    posted_at    TEXT NOT NULL,
    late         INTEGER NOT NULL DEFAULT 0,      -- posted well after scheduled_at (the server was down)
    message_id   INTEGER UNIQUE REFERENCES messages (id),
    title        TEXT NOT NULL,                   -- as it was when posted: later edits do not change it
    due_at       TEXT,
    done_at      TEXT,
    done_by      INTEGER REFERENCES users (id),
    reminded_at  TEXT,                            -- the overdue reminder was posted
    UNIQUE (schedule_id, pair_id, occurrence)
);
CREATE INDEX task_occurrences_pair ON task_occurrences (pair_id);
CREATE INDEX task_occurrences_overdue ON task_occurrences (due_at)
    WHERE due_at IS NOT NULL AND done_at IS NULL AND reminded_at IS NULL;
