-- +goose Up
-- The last state seen of each Alertmanager alert, so that a delivery
-- repeated after a restart still counts once.
CREATE TABLE alert_dedup (
    fingerprint TEXT PRIMARY KEY,
    firing      BOOLEAN NOT NULL,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP,
    seen_at     TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE alert_dedup;
