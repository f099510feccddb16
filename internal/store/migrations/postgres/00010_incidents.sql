-- +goose Up
CREATE TABLE incidents (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title                     TEXT NOT NULL,
    status                    TEXT NOT NULL,
    severity                  TEXT NOT NULL,
    severity_set_by_staff     BOOLEAN NOT NULL DEFAULT FALSE,
    cause                     TEXT NOT NULL,
    -- The root assets, JSON list; dedup_key identifies the root while the
    -- incident is open, so that one root never has two open incidents.
    root_assets               TEXT NOT NULL,
    dedup_key                 TEXT COLLATE "C",
    reason                    TEXT NOT NULL DEFAULT '',
    impact                    TEXT NOT NULL,
    peak                      TEXT NOT NULL,
    auto                      BOOLEAN NOT NULL,
    hold                      BOOLEAN NOT NULL DEFAULT FALSE,
    merged_into               BIGINT REFERENCES incidents (id),
    lead                      TEXT NOT NULL DEFAULT '',
    comms                     TEXT NOT NULL DEFAULT '',
    impact_started_at         TIMESTAMPTZ NOT NULL,
    detected_at               TIMESTAMPTZ NOT NULL,
    acknowledged_at           TIMESTAMPTZ,
    mitigated_at              TIMESTAMPTZ,
    resolved_at               TIMESTAMPTZ,
    first_customer_contact_at TIMESTAMPTZ,
    customer_reported_first   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX incidents_open_root ON incidents (dedup_key);
CREATE INDEX incidents_status ON incidents (status, id);

CREATE TABLE incident_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    type        TEXT NOT NULL,
    public      BOOLEAN NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

-- +goose Down
DROP TABLE incident_events;
DROP TABLE incidents;
