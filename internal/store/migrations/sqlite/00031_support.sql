-- +goose Up
-- Support tickets: a customer's request, about one of their assets or none
-- (asset ''), with its thread. status is open, waiting (on the customer),
-- resolved or closed; assignee the e-mail of the staff member taking it,
-- '' for none. AUTOINCREMENT keeps a removed ticket's number from being
-- given again: customers quote it.
CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    asset       TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'resolved', 'closed')),
    priority    TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee    TEXT NOT NULL DEFAULT '',
    opened_by   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_id, id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_asset ON tickets (asset, created_at);

-- The thread of a ticket: the customer's and staff's messages, Vigie's own
-- (author_kind system) and staff's internal notes (internal TRUE), which a
-- customer never sees.
CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at          TIMESTAMP NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('customer', 'staff', 'system')),
    author      TEXT NOT NULL,
    internal    BOOLEAN NOT NULL DEFAULT FALSE,
    body        TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- Files sent with a message. The file is stored on disk under id, a random
-- name: never the name the sender gave, which is kept here for the
-- download. content_type is the type sniffed from the bytes.
CREATE TABLE ticket_attachments (
    id           TEXT PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id   BIGINT NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_message ON ticket_attachments (message_id);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);

-- The incidents a ticket is about: linked when the ticket was opened on an
-- asset an open incident touched (how 'opened'), or when an incident that
-- touches it opened or widened later (how 'incident'). told_at is the
-- resolution of the incident the ticket was last told of (its resolved_at).
CREATE TABLE ticket_incidents (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    how         TEXT NOT NULL CHECK (how IN ('opened', 'incident')),
    linked_at   TIMESTAMP NOT NULL,
    told_at     TIMESTAMP,
    PRIMARY KEY (ticket_id, incident_id)
);
CREATE INDEX ticket_incidents_incident ON ticket_incidents (incident_id);

-- +goose Down
DROP TABLE ticket_incidents;
DROP TABLE ticket_attachments;
DROP TABLE ticket_messages;
DROP TABLE tickets;
