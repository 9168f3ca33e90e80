-- A new library resource notifies the people whose role may see its folder (issue 11).  The
-- notification names the resource by id; it is listed only while the person's role may still
-- see the resource, and it is read once they open the library.
ALTER TABLE notifications ADD COLUMN resource_id INTEGER REFERENCES library_resources (id);
CREATE INDEX notifications_resource ON notifications (resource_id) WHERE resource_id IS NOT NULL;
