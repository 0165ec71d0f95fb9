-- Tickets, their participants, the response log and attachments.

-- Ticket keys (SD-1001, SD-1002, …) come from one counter row, bumped in the filing transaction.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 1000);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    ticket_type TEXT NOT NULL REFERENCES ticket_types (code),
    desk TEXT NOT NULL REFERENCES desks (code),
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting_for_customer', 'pending_closure', 'closed')),
    priority TEXT CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id TEXT REFERENCES users (id),
    summary TEXT NOT NULL,
    service_menu TEXT NOT NULL REFERENCES service_menus (key),
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id),
    details TEXT NOT NULL,
    -- A JSON object from item key to value.
    menu_fields TEXT NOT NULL,
    incident_occurred_at BIGINT,
    incident_operation_history TEXT,
    incident_current_status TEXT,
    callback_phone TEXT,
    callback_contact_name TEXT,
    callback_preferred_window TEXT,
    follow_up_of TEXT REFERENCES tickets (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tickets_number_key ON tickets (number);
-- The customer's list: their organization's tickets, newest first.
CREATE INDEX tickets_organization ON tickets (organization_id, number);
CREATE INDEX tickets_contract ON tickets (contract_id, number);
-- The desk's queues.
CREATE INDEX tickets_desk ON tickets (desk, status, number);

CREATE TABLE ticket_participants (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_participants_user ON ticket_participants (user_id, ticket_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);

-- Uploaded files: content-addressed on disk by SHA-256; a row per upload. An upload belongs to
-- its uploader until it is attached to a ticket (and, for a reply, its message).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    ticket_id TEXT REFERENCES tickets (id) ON DELETE CASCADE,
    message_id TEXT REFERENCES messages (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_uploader ON attachments (uploaded_by, ticket_id);
