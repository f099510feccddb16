-- +goose Up
-- The public status page's own data.
--
-- incident_updates are the staff-written entries of an incident's public
-- timeline, in French and English. An update that replaces_event gives the
-- public text of that engine event (opened or status-changed) instead of
-- its default one: one entry per event, hence the partial unique index. It
-- is no foreign key: the store checks that the event is the incident's.
CREATE TABLE incident_updates (
    id             INTEGER PRIMARY KEY,
    incident_id    BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at             TIMESTAMP NOT NULL,
    status         TEXT NOT NULL,
    message_fr     TEXT NOT NULL DEFAULT '',
    message_en     TEXT NOT NULL DEFAULT '',
    author         TEXT NOT NULL DEFAULT '',
    replaces_event BIGINT,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at);
CREATE UNIQUE INDEX incident_updates_replaces ON incident_updates (incident_id, replaces_event)
    WHERE replaces_event IS NOT NULL;

-- incident_components are the public statuses staff chose for components
-- during an incident, over those computed from its scope.
CREATE TABLE incident_components (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    component   TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (incident_id, component)
);

-- Maintenance windows get their public texts, and are versioned and
-- cancelled rather than deleted, so that calendars learn of the change
-- (iCalendar SEQUENCE and STATUS:CANCELLED).
ALTER TABLE maintenance_windows ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenance_windows ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenance_windows ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE maintenance_windows ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE maintenance_windows ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE maintenance_windows ADD COLUMN updated_at TIMESTAMP;
UPDATE maintenance_windows SET updated_at = created_at;

-- The fingerprint of the public page reads the latest change of each
-- table: each has an index, so that it reads one row, not all.
CREATE INDEX incident_updates_updated ON incident_updates (updated_at);
CREATE INDEX maintenance_windows_updated ON maintenance_windows (updated_at);
CREATE INDEX postmortems_updated ON postmortems (updated_at);

-- +goose Down
DROP INDEX postmortems_updated;
DROP INDEX maintenance_windows_updated;
ALTER TABLE maintenance_windows DROP COLUMN updated_at;
ALTER TABLE maintenance_windows DROP COLUMN cancelled;
ALTER TABLE maintenance_windows DROP COLUMN sequence;
ALTER TABLE maintenance_windows DROP COLUMN description_en;
ALTER TABLE maintenance_windows DROP COLUMN description;
ALTER TABLE maintenance_windows DROP COLUMN title_en;
DROP TABLE incident_components;
DROP TABLE incident_updates;
