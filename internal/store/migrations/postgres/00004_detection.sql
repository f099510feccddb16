-- +goose Up
-- Signals: the confirmed changes detection emits, kept for the history of
-- each check and asset. results is the evidence, a JSON array of results.
CREATE TABLE signals (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT COLLATE "C" NOT NULL,
    check_key  TEXT COLLATE "C" NOT NULL,
    asset      TEXT COLLATE "C" NOT NULL,
    location   TEXT COLLATE "C" NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    message    TEXT NOT NULL,
    results    TEXT NOT NULL
);
CREATE INDEX signals_at ON signals (at);
CREATE INDEX signals_asset_at ON signals (asset, at);

-- The last hard state of each check, as a whole (location '') and per
-- location, so that a restart restores states without emitting signals.
CREATE TABLE check_states (
    check_key TEXT COLLATE "C" NOT NULL,
    location  TEXT COLLATE "C" NOT NULL,
    state     TEXT NOT NULL,
    since     TIMESTAMPTZ NOT NULL,
    reason    TEXT NOT NULL,
    message   TEXT NOT NULL,
    PRIMARY KEY (check_key, location)
);

-- The integer id of each check key, so that counter rows are keyed by
-- small integers rather than by text.
CREATE TABLE check_ids (
    id        INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_key TEXT COLLATE "C" NOT NULL UNIQUE
);

-- Counters of each check per hour (period 1) and day (period 2), start in
-- Unix seconds. Latencies are in microseconds, over the successful results
-- only. Retention deletes by primary-key range per check: no other index.
CREATE TABLE rollups (
    check_id       INTEGER NOT NULL,
    period         SMALLINT NOT NULL,
    start          BIGINT NOT NULL,
    count          INTEGER NOT NULL,
    failures       INTEGER NOT NULL,
    latency_sum_us BIGINT NOT NULL,
    min_us         BIGINT NOT NULL,
    max_us         BIGINT NOT NULL,
    PRIMARY KEY (check_id, period, start)
);

-- Counters of each check per minute, one row per hour (start in Unix
-- seconds) packing its minutes in slots (see detect.packMinutes).
CREATE TABLE rollup_minutes (
    check_id INTEGER NOT NULL,
    start    BIGINT NOT NULL,
    slots    BYTEA NOT NULL,
    PRIMARY KEY (check_id, start)
);

-- +goose Down
DROP TABLE rollup_minutes;
DROP TABLE rollups;
DROP TABLE check_ids;
DROP TABLE check_states;
DROP TABLE signals;
