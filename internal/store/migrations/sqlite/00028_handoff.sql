-- +goose Up
-- The nonces of the hand-off links a host's customer panel signed, each
-- good once: kept until the link would have expired anyway.
CREATE TABLE handoff_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX handoff_nonces_expiry ON handoff_nonces (expires_at);

-- +goose Down
DROP TABLE handoff_nonces;
