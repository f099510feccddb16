-- +goose Up
-- The secret of each customer's own status URLs (/c/{token}/…): one per
-- customer, replaced when rotated, deleted when revoked or when the
-- customer goes. token_lookup finds the row; token_hash is the SHA-256 of
-- the secret part (32 random bytes).
CREATE TABLE status_tokens (
    customer_id  TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    token_lookup TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE status_tokens;
