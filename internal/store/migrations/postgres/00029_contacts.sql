-- +goose Up
-- The people of a customer who sign in to the customer area. An e-mail
-- address is one contact of one customer (stored lower-cased, unique across
-- customers), so that signing in by address or link is never ambiguous.
-- password_hash is an argon2id hash, NULL until the contact sets one (an
-- invited contact may sign in by magic link only). Identity ids are never
-- given again, which matters since sessions name their contact by id
-- without a foreign key.
CREATE TABLE contacts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   TEXT COLLATE "C" NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    zone          TEXT NOT NULL,
    password_hash TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    invited_at    TIMESTAMPTZ,
    activated_at  TIMESTAMPTZ,
    disabled_at   TIMESTAMPTZ
);
CREATE INDEX contacts_customer ON contacts (customer_id);

-- One-time links sent by e-mail to a contact: an invitation, a magic
-- sign-in link or a password reset. The link holds vcl_<id>_<secret>: id
-- finds the row, secret_hash is the SHA-256 of the secret (32 random bytes).
-- used_at is set once, by a conditional update.
CREATE TABLE contact_links (
    id          TEXT COLLATE "C" PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    contact_id  BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'magic', 'reset')),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX contact_links_contact ON contact_links (contact_id, purpose);
CREATE INDEX contact_links_expiry ON contact_links (expires_at);

-- +goose Down
DROP TABLE contact_links;
DROP TABLE contacts;
