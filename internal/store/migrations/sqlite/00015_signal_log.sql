-- +goose Up
-- The signal log is the one path from every producer to the incident
-- engine: source names the producer (probe, alertmanager, heartbeat,
-- compliance, staff).
ALTER TABLE signals ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- Where each consumer of a log stands: the id of the last row it took,
-- advanced in the same transaction as what taking it changed.
CREATE TABLE log_cursors (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

-- The incident engine's current down set: what the signal log says is down
-- up to the engine's cursor, so that a restart or another leader continues
-- from it. kind is check (probe, heartbeat), alert or compliance.
CREATE TABLE incident_down (
    asset     TEXT NOT NULL,
    check_key TEXT NOT NULL,
    kind      TEXT NOT NULL,
    since     TIMESTAMP NOT NULL,
    signal_id BIGINT NOT NULL,
    reason    TEXT NOT NULL,
    message   TEXT NOT NULL,
    PRIMARY KEY (asset, check_key)
);

-- Results of remote probe locations, taken in order and each once (the
-- location's last_seq advances in the same transaction), waiting for the
-- detector of the leader to consume them. AUTOINCREMENT: ids must never
-- be reused once the queue is emptied, or the consumer's cursor would
-- skip new rows.
CREATE TABLE probe_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    location    TEXT NOT NULL,
    check_key   TEXT NOT NULL,
    result      TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE probe_results;
DROP TABLE incident_down;
DROP TABLE log_cursors;
ALTER TABLE signals DROP COLUMN source;
