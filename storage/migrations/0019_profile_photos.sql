-- A person's photo on their profile and beside their messages (issue 13): one per person, as
-- the server made it from their upload (a small square WebP without any metadata), so an
-- upload's GPS position or camera serial is never kept.  Without a row, the page shows the
-- person's initials.
CREATE TABLE profile_photos (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    image      BLOB NOT NULL,
    updated_at TEXT NOT NULL
);
