-- +goose Up
CREATE TABLE maintenance_windows (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title          TEXT NOT NULL,
    -- The assets under maintenance, JSON list; their dependents are in scope too.
    assets         TEXT NOT NULL,
    -- Wall-clock times in zone, "2026-11-27T02:00", so that 02:00 stays
    -- 02:00 across daylight saving changes.
    start_local    TEXT NOT NULL,
    end_local      TEXT NOT NULL,
    zone           TEXT NOT NULL DEFAULT '',
    weekly         BOOLEAN NOT NULL DEFAULT FALSE,
    verify_seconds BIGINT NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE maintenance_windows;
