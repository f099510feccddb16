-- +goose Up
-- What the ticket form's deflection step led to: a customer shown a known
-- incident or maintenance on their asset who chose to follow it
-- ('followed'), or who sent their ticket anyway ('sent'). incident_id or
-- maintenance_id is 0 when the step named none of that kind.
CREATE TABLE support_deflections (
    id             INTEGER PRIMARY KEY,
    customer_id    TEXT NOT NULL,
    asset          TEXT NOT NULL,
    incident_id    BIGINT NOT NULL DEFAULT 0,
    maintenance_id BIGINT NOT NULL DEFAULT 0,
    outcome        TEXT NOT NULL CHECK (outcome IN ('followed', 'sent')),
    at             TIMESTAMP NOT NULL
);
CREATE INDEX support_deflections_at ON support_deflections (at);

-- The incident changes support follows (an incident opening, widening,
-- moving on, resolving), written in the transaction of the change and
-- taken in order by the leader, which links tickets and tells them.
CREATE TABLE support_triggers (
    id          INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    type        TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    done        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX support_triggers_pending ON support_triggers (done, id);

-- +goose Down
DROP TABLE support_triggers;
DROP TABLE support_deflections;
