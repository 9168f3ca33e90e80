-- The resource library: folders (one level of subfolders) that coordinators fill with links
-- and files, each folder visible to one audience; how often each resource is opened, per week
-- and role, never per person; when each person last looked at the library (for the "new"
-- count in the menu); and which messages share a resource as a card.
CREATE TABLE library_folders (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES library_folders (id),  -- NULL for a top-level folder
    name       TEXT NOT NULL,
    audience   TEXT NOT NULL CHECK (audience IN ('everyone', 'mentors', 'mentees', 'coordinators')),
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX library_folders_parent ON library_folders (parent_id, position);

CREATE TABLE library_resources (
    id          INTEGER PRIMARY KEY,
    folder_id   INTEGER REFERENCES library_folders (id) ON DELETE SET NULL,  -- NULL once removed
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url         TEXT,                                -- a link; NULL for a file
    file_id     TEXT,                                -- the stored file's public id; NULL for a link
    position    INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    removed_at  TEXT,                                -- kept for the usage figures once removed
    CHECK ((url IS NULL) <> (file_id IS NULL)),
    CHECK (folder_id IS NOT NULL OR removed_at IS NOT NULL)
);
CREATE INDEX library_resources_folder ON library_resources (folder_id, position);

CREATE TABLE library_uses (
    resource_id INTEGER NOT NULL REFERENCES library_resources (id),
    week        TEXT NOT NULL,                       -- the Monday (UTC) the week starts on
    role        TEXT NOT NULL,
    opened      INTEGER NOT NULL,
    PRIMARY KEY (resource_id, week, role)
);

CREATE TABLE library_visits (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL
);

CREATE TABLE message_resources (
    message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    resource_id INTEGER NOT NULL REFERENCES library_resources (id)
);
