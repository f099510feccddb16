-- +goose Up
-- Compliance rules declared in the inventory (JSON), by name.
CREATE TABLE compliance_rules (
    name TEXT COLLATE "C" PRIMARY KEY,
    spec TEXT NOT NULL
);

-- +goose Down
DROP TABLE compliance_rules;
