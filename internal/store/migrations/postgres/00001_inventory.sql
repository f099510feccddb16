-- +goose Up
CREATE TABLE customers (
    id       TEXT COLLATE "C" PRIMARY KEY,
    name     TEXT NOT NULL,
    email    TEXT NOT NULL,
    language TEXT NOT NULL,
    timezone TEXT NOT NULL
);

CREATE TABLE assets (
    name    TEXT COLLATE "C" PRIMARY KEY,
    kind    TEXT COLLATE "C" NOT NULL,
    owner   TEXT COLLATE "C" REFERENCES customers (id),
    url     TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assets_kind ON assets (kind, name);
CREATE INDEX assets_owner ON assets (owner, name);

CREATE TABLE asset_deps (
    asset      TEXT COLLATE "C" NOT NULL REFERENCES assets (name) ON DELETE CASCADE,
    depends_on TEXT COLLATE "C" NOT NULL REFERENCES assets (name),
    PRIMARY KEY (asset, depends_on)
);
CREATE INDEX asset_deps_depends_on ON asset_deps (depends_on);

CREATE TABLE asset_labels (
    asset TEXT COLLATE "C" NOT NULL REFERENCES assets (name) ON DELETE CASCADE,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (asset, key)
);
CREATE INDEX asset_labels_key ON asset_labels (key, value);

-- The version of the inventory, bumped by every write, so that each server
-- process knows when its in-memory graph is stale.
CREATE TABLE inventory_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO inventory_state (id, version) VALUES (1, 0);

-- +goose Down
DROP TABLE inventory_state;
DROP TABLE asset_labels;
DROP TABLE asset_deps;
DROP TABLE assets;
DROP TABLE customers;
