-- +goose Up
-- The public components of the status page, declared in the inventory
-- (JSON), by id, in the order declared: positions run from 0 without gaps.
CREATE TABLE components (
    id       TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    spec     TEXT NOT NULL
);

-- +goose Down
DROP TABLE components;
