-- +goose Up
-- One post-mortem per incident. doc is the whole PostMortem as JSON; state
-- and public are copied out of it so that lists can filter on them.
CREATE TABLE postmortems (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    doc         TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX postmortems_state ON postmortems (state);

-- +goose Down
DROP TABLE postmortems;
