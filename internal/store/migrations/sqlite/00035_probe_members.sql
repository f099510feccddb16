-- +goose Up
-- The probe processes serving each location: a member is one process,
-- named by its result buffer's id (stable across its restarts). last_seen
-- is its last request; it is alive while last_seen is within three of its
-- heartbeats; alive_since is when it last became alive, for the moment the
-- location's shares changed. last_seq is the last result sequence number
-- taken from it: each member numbers its results on its own. A row made by
-- a results batch alone has no last_seen: it is no member until it calls.
CREATE TABLE probe_members (
    location     TEXT NOT NULL REFERENCES probe_locations (name) ON DELETE CASCADE,
    member_id    TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    heartbeat_ms BIGINT NOT NULL DEFAULT 1000,
    first_seen   TIMESTAMP,
    last_seen    TIMESTAMP,
    alive_since  TIMESTAMP,
    last_seq     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location, member_id)
);

-- The sequence numbers a location's single probe was numbering.
INSERT INTO probe_members (location, member_id, last_seq)
    SELECT name, seq_epoch, last_seq FROM probe_locations WHERE seq_epoch <> '';

-- +goose Down
DROP TABLE probe_members;
