-- +goose Up
-- When a user was disabled, NULL while they may sign in. A disabled user
-- keeps their account (and their name on incidents and notes) but can
-- neither sign in nor hold tokens: disabling deletes their tokens.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;

-- A token's own role, at most its user's: the token acts with the weaker
-- of the two. '' means the token follows its user's role.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT '';

-- The scopes narrowing a token, comma-separated (alertmanager,read,import);
-- '' means none: the token may do all its role allows.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';

-- One counter, bumped in the same transaction as every change that may take
-- rights away (a token revoked, a user disabled, enabled, removed or given
-- another role). Each server caches verified tokens with the generation
-- they were read at, reads this row at most once a second, and re-reads the
-- tokens cached before a newer generation: so a revocation is seen by every
-- server within about a second, without hashing cached tokens again.
CREATE TABLE auth_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO auth_generation (id, generation) VALUES (1, 0);

-- +goose Down
DROP TABLE auth_generation;
ALTER TABLE api_tokens DROP COLUMN scopes;
ALTER TABLE api_tokens DROP COLUMN role;
ALTER TABLE users DROP COLUMN disabled_at;
