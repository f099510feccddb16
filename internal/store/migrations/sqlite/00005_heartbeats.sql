-- +goose Up
-- One row per heartbeat check: the token jobs ping with and the last ping.
-- check_key is the check's asset/name; there is no foreign key because
-- effective checks also come from the defaults of asset kinds.
-- token_lookup is the public part of the token, to find the row; token_hash
-- is the SHA-256 (hex) of the secret part. A fast hash is enough: the secret
-- is 32 random bytes, so there is nothing for a slow hash to protect against
-- guessing, and pings are unauthenticated requests that must stay cheap.
CREATE TABLE heartbeats (
    check_key        TEXT PRIMARY KEY,
    token_lookup     TEXT NOT NULL UNIQUE,
    token_hash       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    last_at          TIMESTAMP,
    last_status      TEXT NOT NULL DEFAULT '',
    last_size        BIGINT,
    last_duration_ms BIGINT,
    last_message     TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE heartbeats;
