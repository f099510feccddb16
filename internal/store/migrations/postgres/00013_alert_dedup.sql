-- +goose Up
-- The last state seen of each Alertmanager alert, so that a delivery
-- repeated after a restart still counts once.
CREATE TABLE alert_dedup (
    fingerprint TEXT COLLATE "C" PRIMARY KEY,
    firing      BOOLEAN NOT NULL,
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ,
    seen_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE alert_dedup;
