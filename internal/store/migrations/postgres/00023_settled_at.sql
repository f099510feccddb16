-- +goose Up
-- When an incident settled: an incident opened by correlation opens at its
-- first confirmed root and is told to staff at once; during the settle
-- window it may be re-targeted to a higher root and widened, and only once
-- it settled are customers and public channels told. NULL while it has
-- not settled. Incidents recorded before this column were opened after the
-- window, so they settled when they were detected.
ALTER TABLE incidents ADD COLUMN settled_at TIMESTAMPTZ;
UPDATE incidents SET settled_at = detected_at;

-- +goose Down
ALTER TABLE incidents DROP COLUMN settled_at;
