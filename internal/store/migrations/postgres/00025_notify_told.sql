-- +goose Up
-- Who was told about what: the customers told about an incident ("i12")
-- or one occurrence of a maintenance window ("m4/1767232800"), so that
-- later updates reach them even once out of scope, and a widening tells
-- only the new ones.
CREATE TABLE notify_told (
    subject     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (subject, customer_id)
);

-- The notices planned by the clock (a window's notice ahead, at its
-- start, at its end), so that each goes out once.
CREATE TABLE notify_marks (
    mark TEXT PRIMARY KEY,
    at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE notify_marks;
DROP TABLE notify_told;
