-- +goose Up
-- The people of a customer who sign in to the customer area. An e-mail
-- address is one contact of one customer (stored lower-cased, unique across
-- customers), so that signing in by address or link is never ambiguous.
-- password_hash is an argon2id hash, NULL until the contact sets one (an
-- invited contact may sign in by magic link only). AUTOINCREMENT keeps a
-- removed contact's id from being given again, since sessions name their
-- contact by id without a foreign key.
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    zone          TEXT NOT NULL,
    password_hash TEXT,
    created_at    TIMESTAMP NOT NULL,
    invited_at    TIMESTAMP,
    activated_at  TIMESTAMP,
    disabled_at   TIMESTAMP
);
CREATE INDEX contacts_customer ON contacts (customer_id);

-- One-time links sent by e-mail to a contact: an invitation, a magic
-- sign-in link or a password reset. The link holds vcl_<id>_<secret>: id
-- finds the row, secret_hash is the SHA-256 of the secret (32 random bytes).
-- used_at is set once, by a conditional update.
CREATE TABLE contact_links (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'magic', 'reset')),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX contact_links_contact ON contact_links (contact_id, purpose);
CREATE INDEX contact_links_expiry ON contact_links (expires_at);

-- +goose Down
DROP TABLE contact_links;
DROP TABLE contacts;
