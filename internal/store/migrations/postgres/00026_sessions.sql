-- +goose Up
-- Browser sessions of staff users and customers. The cookie holds
-- vss_<id>_<secret>: id finds the row, secret_hash is the SHA-256 of the
-- secret part (32 random bytes), never the secret itself. subject_kind says
-- what subject_id names: 'staff' a users.id, 'contact' a customer contact,
-- 'customer' a customer id (a session opened by a panel hand-off). There is
-- no foreign key, the subjects living in different tables: disabling or
-- removing a user deletes their sessions in the same transaction.
-- idle_expires_at never passes absolute_expires_at, so that expired rows
-- are found through it alone.
CREATE TABLE sessions (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    secret_hash         TEXT NOT NULL,
    subject_kind        TEXT NOT NULL CHECK (subject_kind IN ('staff', 'contact', 'customer')),
    subject_id          TEXT COLLATE "C" NOT NULL,
    auth_level          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    idle_expires_at     TIMESTAMPTZ NOT NULL,
    absolute_expires_at TIMESTAMPTZ NOT NULL,
    addr                TEXT NOT NULL DEFAULT '',
    user_agent          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_subject ON sessions (subject_kind, subject_id);
CREATE INDEX sessions_idle_expires ON sessions (idle_expires_at);

-- Failed sign-ins, counted per account ('a:' and the lower-cased e-mail)
-- and per client address ('n:' and the IPv4 address or IPv6 /64), shared
-- by every server. forget_at is when the row no longer slows anyone down,
-- for Retain.
CREATE TABLE signin_throttle (
    throttle_key    TEXT COLLATE "C" PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    forget_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_throttle_forget ON signin_throttle (forget_at);

-- +goose Down
DROP TABLE signin_throttle;
DROP TABLE sessions;
