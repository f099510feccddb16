-- +goose Up
-- A staff user's TOTP second factor. The secret is needed in clear to
-- compute codes, so it is stored as is (a key kept in this same database
-- would protect nothing against a copy of it); it is never read back out
-- of the auth package. pending_secret is an enrolment not yet confirmed
-- with a code, which leaves the active secret working meanwhile.
-- last_step is the last 30-second time step accepted, so that a code is
-- taken once: it only ever grows, by a conditional UPDATE.
CREATE TABLE staff_totp (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         TEXT,
    pending_secret TEXT,
    last_step      BIGINT NOT NULL DEFAULT 0,
    enabled_at     TIMESTAMP
);

-- One-time recovery codes, stored only as argon2id hashes.
CREATE TABLE staff_recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX staff_recovery_codes_user ON staff_recovery_codes (user_id);

-- Every staff action and every sign-in: who, what, on what, from where.
-- AUTOINCREMENT: ids are the paging cursor and must never be reused, even
-- once Retain has emptied the table.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TIMESTAMP NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    addr   TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ok     BOOLEAN NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE staff_recovery_codes;
DROP TABLE staff_totp;
