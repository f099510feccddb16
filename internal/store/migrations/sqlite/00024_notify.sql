-- +goose Up
-- Notifications: the channels they leave by, the durable outbox, and what
-- the planner needs to decide who gets what.
--
-- notify_channels are the configured ways out. audiences is a JSON list,
-- config a JSON object of the kind's settings; secret is write-only (the
-- API and the CLI never show it).
CREATE TABLE notify_channels (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    audiences       TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    config          TEXT NOT NULL,
    secret          TEXT NOT NULL DEFAULT '',
    rate_per_minute INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- notify_outbox holds the events the planner turns into messages, written
-- in the transaction of the change that causes them (0: no such id).
CREATE TABLE notify_outbox (
    id             INTEGER PRIMARY KEY,
    type           TEXT NOT NULL,
    incident_id    BIGINT NOT NULL DEFAULT 0,
    event_id       BIGINT NOT NULL DEFAULT 0,
    update_id      BIGINT NOT NULL DEFAULT 0,
    maintenance_id BIGINT NOT NULL DEFAULT 0,
    sequence       INTEGER NOT NULL DEFAULT 0,
    at             TIMESTAMP NOT NULL,
    done           BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notify_outbox_pending ON notify_outbox (done, id);

-- notify_messages are the messages themselves, one per recipient and
-- channel: delivered, retried and dead-lettered by the workers. key is the
-- idempotency key every delivery of the message carries.
CREATE TABLE notify_messages (
    id             INTEGER PRIMARY KEY,
    key            TEXT NOT NULL UNIQUE,
    channel_id     TEXT NOT NULL,
    recipient_kind TEXT NOT NULL,
    recipient_id   TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    topic          TEXT NOT NULL,
    thread         TEXT NOT NULL DEFAULT '',
    incident_id    BIGINT,
    items          TEXT NOT NULL,
    unsubscribe    TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    not_before     TIMESTAMP NOT NULL,
    lease_until    TIMESTAMP,
    last_error     TEXT NOT NULL DEFAULT '',
    remote_id      TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    sent_at        TIMESTAMP
);
CREATE INDEX notify_messages_due ON notify_messages (state, not_before);
CREATE INDEX notify_messages_recipient ON notify_messages (channel_id, recipient_id, state);
CREATE INDEX notify_messages_incident ON notify_messages (incident_id);

-- notify_threads remember, per channel, what the last sent message of a
-- thread created (a Mastodon status, a Discourse topic), for the next one
-- to follow it.
CREATE TABLE notify_threads (
    channel_id TEXT NOT NULL,
    thread     TEXT NOT NULL,
    remote_id  TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (channel_id, thread)
);

-- notify_optouts are what customers chose not to receive ('*': every
-- channel kind, or every topic).
CREATE TABLE notify_optouts (
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel_kind TEXT NOT NULL,
    topic        TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (customer_id, channel_kind, topic)
);

-- notify_staff are the staff members who may be paged, with their duty
-- hours.
CREATE TABLE notify_staff (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    duty    TEXT NOT NULL DEFAULT '',
    page    BOOLEAN NOT NULL DEFAULT TRUE
);

-- notify_pages follow the paging of each incident: when, escalated when,
-- acknowledged when and by whom.
CREATE TABLE notify_pages (
    incident_id  BIGINT PRIMARY KEY,
    paged_at     TIMESTAMP NOT NULL,
    escalated_at TIMESTAMP,
    acked_at     TIMESTAMP,
    acked_by     TEXT NOT NULL DEFAULT ''
);

-- notify_settings are the planner's settings, by name.
CREATE TABLE notify_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE notify_settings;
DROP TABLE notify_pages;
DROP TABLE notify_staff;
DROP TABLE notify_optouts;
DROP TABLE notify_threads;
DROP TABLE notify_messages;
DROP TABLE notify_outbox;
DROP TABLE notify_channels;
