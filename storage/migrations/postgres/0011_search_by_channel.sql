-- Search scoped by channel: on SQLite the full-text index gets a channel column; on PostgreSQL
-- the index lives on `messages` itself, which has the channel already.  Nothing to change.
SELECT 1;
