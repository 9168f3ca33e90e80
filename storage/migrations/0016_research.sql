-- Research (issue 12): a content-free record of feature use, and each participant's consent.
--
-- A person who consents gets a random research id (made at their first yes, kept after): the
-- usage record names people by it alone.  Exports never show it: they count people, and what
-- they name (a pair) gets a pseudonym salted anew for every export.
ALTER TABLE users ADD COLUMN research_id TEXT;
CREATE UNIQUE INDEX users_research_id ON users (research_id);

-- How often each consenting participant used each feature in each week (nothing is recorded
-- while a person has not said yes): one row per person, week and
-- feature, counted up in place.  Never a word, a name, a channel, a query or a time finer
-- than the week.  `feature` is a key such as 'message.pair' or 'menu.library'; `cohort` is
-- the month of the person's first pairing ('2026-03'), '' before it; `role` is theirs then.
CREATE TABLE usage_counts (
    week    TEXT NOT NULL,                          -- the Monday of the week (UTC), '2026-03-30'
    feature TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),
    cohort  TEXT NOT NULL,
    person  TEXT NOT NULL,                          -- users.research_id
    uses    INTEGER NOT NULL,
    PRIMARY KEY (week, feature, role, cohort, person)
) WITHOUT ROWID;

-- Research consent: every decision, with its time; a person's latest row is their answer.
-- Reports and exports count only people whose latest answer is yes.
CREATE TABLE research_consent (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    consented  INTEGER NOT NULL CHECK (consented IN (0, 1)),
    decided_at TEXT NOT NULL
);
CREATE INDEX research_consent_user ON research_consent (user_id, id);

-- Digest opens and clicks count in the usage record too: the claim keeps the token of the
-- digest it sent, so an open names its reader's research id (never in digest_reads).
ALTER TABLE digest_claims ADD COLUMN token TEXT;
CREATE INDEX digest_claims_token ON digest_claims (period, token) WHERE token IS NOT NULL;
