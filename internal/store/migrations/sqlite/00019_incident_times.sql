-- +goose Up
-- The digest reads the incidents detected or resolved in a period: each
-- half of its condition has an index, so that it reads those incidents
-- only, not every incident ever opened.
CREATE INDEX incidents_detected_at ON incidents (detected_at);
CREATE INDEX incidents_resolved_at ON incidents (resolved_at);

-- +goose Down
DROP INDEX incidents_resolved_at;
DROP INDEX incidents_detected_at;
