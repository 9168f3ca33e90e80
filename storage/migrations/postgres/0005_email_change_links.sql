-- A person changes their own e-mail address through a link sent to the new address: a third
-- kind of account link, which carries the address it confirms.  PostgreSQL changes the CHECK
-- in place (SQLite rebuilds the table).
ALTER TABLE account_tokens
    DROP CONSTRAINT account_tokens_purpose_check,
    ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('invitation', 'reset', 'email')),
    ADD COLUMN new_email TEXT,                   -- the address an 'email' link confirms
    ADD CHECK ((purpose = 'email') = (new_email IS NOT NULL));
