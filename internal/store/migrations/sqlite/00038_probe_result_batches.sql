-- +goose Up
-- The results remote locations send are queued one row per batch rather
-- than one per result, so that a batch of a thousand results costs one
-- insert. results is the batch encoded, told by its first byte: 'B' the
-- binary format TakeBatch writes, 'J' a JSON array of {"key", "result"}
-- (see internal/probe/results_batch.go). A result's position, the
-- detector's cursor, is id × 1048576 + its index in the row.
-- AUTOINCREMENT: ids are never reused once the queue is emptied.
CREATE TABLE probe_result_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    location    TEXT NOT NULL,
    results     BLOB NOT NULL,
    n           INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- The results still queued become batches of one, keeping their ids and
-- so their order; the cursor becomes a position; new rows come after
-- every id ever given, as the cursor may be past the last row.
INSERT INTO probe_result_batches (id, location, results, n, received_at)
SELECT id, location, CAST('J' || json_array(json_object('key', check_key, 'result', json(result))) AS BLOB), 1, received_at
FROM probe_results ORDER BY id;

DELETE FROM sqlite_sequence WHERE name = 'probe_result_batches';
INSERT INTO sqlite_sequence (name, seq) VALUES ('probe_result_batches', MAX(
    COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'probe_results'), 0),
    COALESCE((SELECT MAX(id) FROM probe_results), 0),
    COALESCE((SELECT position FROM log_cursors WHERE name = 'probe-results'), 0)));

UPDATE log_cursors SET position = position * 1048576 WHERE name = 'probe-results';

DROP TABLE probe_results;

-- +goose Down
-- Results still queued in batches are dropped: drain the queue before
-- going down.
CREATE TABLE probe_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    location    TEXT NOT NULL,
    check_key   TEXT NOT NULL,
    result      TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
DELETE FROM sqlite_sequence WHERE name = 'probe_results';
INSERT INTO sqlite_sequence (name, seq) VALUES ('probe_results', MAX(
    COALESCE((SELECT MAX(id) FROM probe_result_batches), 0),
    COALESCE((SELECT position / 1048576 FROM log_cursors WHERE name = 'probe-results'), 0)));
UPDATE log_cursors SET position = position / 1048576 WHERE name = 'probe-results';
DROP TABLE probe_result_batches;
