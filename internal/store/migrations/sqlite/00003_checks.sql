-- +goose Up
-- Checks declared in the inventory, as written (JSON): the effective set
-- (with the defaults of each asset kind) is derived from these and the assets.
CREATE TABLE checks (
    asset TEXT NOT NULL REFERENCES assets (name) ON DELETE CASCADE,
    name  TEXT NOT NULL,
    spec  TEXT NOT NULL,
    PRIMARY KEY (asset, name)
);

CREATE TABLE check_defaults (
    asset_kind TEXT PRIMARY KEY,
    spec       TEXT NOT NULL
);

-- +goose Down
DROP TABLE check_defaults;
DROP TABLE checks;
