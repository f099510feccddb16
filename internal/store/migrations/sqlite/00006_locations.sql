-- +goose Up
-- One row per remote probe location and the token it authenticates with.
-- name is a lower-case word (paris, montreal); "local" is never stored, it
-- is the probe built into the server. token_lookup is the public part of
-- the token, to find the row; token_hash is the SHA-256 (hex) of the secret
-- part: the secret is 32 random bytes, so a slow hash would protect nothing
-- and only make each probe request cost CPU. A revoked location keeps its
-- row (revoked_at set) so that its history stays named; adding it again
-- reuses the row with a new token.
CREATE TABLE probe_locations (
    name             TEXT PRIMARY KEY,
    token_lookup     TEXT NOT NULL UNIQUE,
    token_hash       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    revoked_at       TIMESTAMP,
    last_seen_at     TIMESTAMP,
    poll_interval_ms BIGINT NOT NULL DEFAULT 30000
);

-- +goose Down
DROP TABLE probe_locations;
