-- +goose Up
-- How an incident was detected: 'probe' (correlation of check signals),
-- 'alert' (correlation of Alertmanager alerts) or 'staff' (opened by hand).
-- Incidents opened by hand before this column are known to be staff's;
-- older automatic ones stay '' since the record does not say which signals
-- came first. A customer reporting first is customer_reported_first.
ALTER TABLE incidents ADD COLUMN detected_by TEXT NOT NULL DEFAULT '';
UPDATE incidents SET detected_by = 'staff' WHERE NOT auto;

-- +goose Down
ALTER TABLE incidents DROP COLUMN detected_by;
