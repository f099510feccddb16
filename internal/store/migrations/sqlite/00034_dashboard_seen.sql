-- +goose Up
-- When each staff member last looked at the console's dashboard, for its
-- "since you last looked" digest (staff 6 hours apart catch up each
-- morning). One row per user, moved forward at each look.
CREATE TABLE staff_dashboard_seen (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seen_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE staff_dashboard_seen;
