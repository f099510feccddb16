-- +goose Up
-- The history of a heartbeat check: one row per ping received, so that a
-- backup's last good run, its restore points and its last failure can be
-- shown. restore_point is the id the backup tool gave the copy it made
-- ('' when none). The leader's retention keeps 90 days and a bounded count
-- per check, and always the newest ok run. There is no foreign key to
-- heartbeats, as there is none from it to checks: rows go with their
-- token, deleted in the same transaction.
CREATE TABLE heartbeat_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    check_key     TEXT NOT NULL,
    at            TIMESTAMP NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'fail')),
    size          BIGINT,
    duration_ms   BIGINT,
    restore_point TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX heartbeat_runs_check ON heartbeat_runs (check_key, status, at);
CREATE INDEX heartbeat_runs_at ON heartbeat_runs (at);

-- The last ping of each check is its first run.
INSERT INTO heartbeat_runs (check_key, at, status, size, duration_ms, message)
SELECT check_key, last_at, last_status, last_size, last_duration_ms, last_message
FROM heartbeats WHERE last_at IS NOT NULL AND last_status IN ('ok', 'fail');

-- +goose Down
DROP TABLE heartbeat_runs;
