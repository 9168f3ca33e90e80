-- Sessions end after a time without use (idle_expires_at) as well as at their absolute
-- expiry (expires_at); last_used_at is when the idle deadline was last moved on, at most once
-- a minute.  Sessions from before this migration have neither, and end: everyone logs in once
-- more (their cookies also change name behind https, see server/auth.py).
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN last_used_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN idle_expires_at TEXT NOT NULL DEFAULT '';
