-- +goose Up
-- The last result sequence number taken from each remote probe, so that a
-- batch replayed after a lost acknowledgement is not counted twice; the
-- epoch names the probe's buffer, whose numbering restarts if it is lost.
ALTER TABLE probe_locations ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE probe_locations ADD COLUMN seq_epoch TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE probe_locations DROP COLUMN seq_epoch;
ALTER TABLE probe_locations DROP COLUMN last_seq;
