-- The daily sweep of the file store for blobs no row refers to (issue 14): one row a day,
-- claimed by the first node that gets to it, so that of several nodes one sweeps.  A claim
-- not finished within hours (its node died) may be taken again.
CREATE TABLE blob_sweeps (
    day          TEXT PRIMARY KEY,   -- YYYY-MM-DD, UTC
    claimed_at   TEXT NOT NULL,
    finished_at  TEXT,
    removed      INTEGER,            -- blobs deleted
    removed_size INTEGER             -- their bytes
);
