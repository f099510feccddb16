-- +goose Up
-- The host's settings changed from the staff console: one row per setting
-- set, its value as text (a duration such as 90s, a time of day such as
-- 02:00, a time-zone name). A setting without a row has its default, the
-- command-line flag of vigie serve.
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
