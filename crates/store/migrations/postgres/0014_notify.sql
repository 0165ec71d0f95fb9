-- Notifications (issue 11): the outbox worker's bookkeeping, each delivery attempt, users'
-- notification preferences, desk addresses, webhook subscriptions, the log of incoming mail.

-- A row is done when sent_at is set; `skipped` says why it was done without sending (the
-- recipient switched the kind off, lost access, has no address); `parked_at` marks a row that
-- failed too often and waits for an admin's retry.
ALTER TABLE outbox ADD COLUMN parked_at BIGINT;
ALTER TABLE outbox ADD COLUMN skipped TEXT;
ALTER TABLE outbox ADD COLUMN last_status BIGINT;
CREATE INDEX outbox_recipient ON outbox (recipient, id);
CREATE INDEX outbox_parked ON outbox (parked_at) WHERE parked_at IS NOT NULL;

-- Every attempt to deliver an outbox row: when, how it went, how long it took.
CREATE TABLE outbox_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id),
    attempted_at BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    status_code BIGINT,
    duration_ms BIGINT NOT NULL,
    error TEXT
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts (outbox_id, id);

-- Kinds a user switched off or on; a kind without a row is on.
CREATE TABLE notification_preferences (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The desk's shared address: new tickets and customer replies reach it.
ALTER TABLE desks ADD COLUMN email TEXT;

-- Admins' webhook subscriptions; `event_types` is a JSON array of event codes.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

-- How far the webhook fan-out has read the event log.
CREATE TABLE job_cursors (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO job_cursors (name, position) VALUES ('webhooks', 0);

-- Every incoming email, once per Message-ID: what became of it and why.
CREATE TABLE inbound_mail (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    ticket_id TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    added_message_id TEXT
);
CREATE UNIQUE INDEX inbound_mail_message_id ON inbound_mail (message_id);
