-- +goose Up
-- Each staff member's time zone, for the digest and every time shown to
-- them (staff work from Paris and Montreal).
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Europe/Paris';

-- +goose Down
ALTER TABLE users DROP COLUMN timezone;
