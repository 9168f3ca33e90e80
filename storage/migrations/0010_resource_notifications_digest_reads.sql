-- A new library resource notifies the people whose role may see its folder (issue 11).  The
-- notification names the resource by id; it is listed only while the person's role may still
-- see the resource, and it is read once they open the library.
ALTER TABLE notifications ADD COLUMN resource_id INTEGER REFERENCES library_resources (id);
CREATE INDEX notifications_resource ON notifications (resource_id) WHERE resource_id IS NOT NULL;

-- Digest opens and clicks, de-duplicated per digest: each digest's links carry a random token
-- of that one mail, and a token counts once as opened (the pixel, or any click) and once as
-- clicked however often it comes back.  No person is named here.  The 0009 table
-- `digest_counts` kept raw counts; it is no longer written, and its figures are added in.
CREATE TABLE digest_reads (
    period  TEXT NOT NULL,
    token   TEXT NOT NULL,
    clicked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, token)
);
