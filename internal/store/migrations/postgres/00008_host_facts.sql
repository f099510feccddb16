-- +goose Up
-- The last facts each host agent reported, and the compliance violations
-- they gave, so that a change of violations is signalled once.
CREATE TABLE host_facts (
    asset       TEXT COLLATE "C" PRIMARY KEY REFERENCES assets (name) ON DELETE CASCADE,
    location    TEXT NOT NULL,
    facts       TEXT NOT NULL,
    violations  TEXT NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE host_facts;
