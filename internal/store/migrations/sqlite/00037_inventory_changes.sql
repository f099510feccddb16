-- +goose Up
-- What each inventory version changed, written in the transaction that
-- bumps inventory_state.version: the asset names, the asset kinds whose
-- default check changed and the customer ids, as JSON, or "all" for a
-- change too big to list. Another process (a replica, vigie import) reads
-- the rows after the version it has and re-reads only those assets, rather
-- than the whole inventory. Old versions are pruned by the writers.
CREATE TABLE inventory_changes (
    version BIGINT PRIMARY KEY,
    change TEXT NOT NULL
);

-- +goose Down
DROP TABLE inventory_changes;
