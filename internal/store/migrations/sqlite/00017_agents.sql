-- +goose Up
-- One row per host agent and the token it authenticates with. An agent is
-- bound to one asset: it reports that host's facts and no other's, so a
-- leaked agent token tells lies about one host at most. token_lookup is the
-- public part of the token, to find the row; token_hash is the SHA-256 (hex)
-- of the secret part (32 random bytes: a slow hash would protect nothing).
-- Deleting the asset deletes its agent; removing the agent deletes the row.
CREATE TABLE host_agents (
    asset        TEXT PRIMARY KEY REFERENCES assets (name) ON DELETE CASCADE,
    token_lookup TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP
);

-- Results a remote location sent for checks it is not assigned, refused at
-- intake and counted here so that a misbehaving probe shows in
-- 'vigie location list'.
ALTER TABLE probe_locations ADD COLUMN refused_results BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE probe_locations DROP COLUMN refused_results;
DROP TABLE host_agents;
