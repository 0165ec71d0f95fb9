-- The customer's world, users and access, the catalog, and the event log with its outbox.
-- Times are microseconds since the Unix epoch (UTC); ids are UUIDv7 text, so that both
-- databases store and sort them alike.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (name);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    tenant_id TEXT NOT NULL,
    name TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenants_tenant_id_key ON tenants (tenant_id);
CREATE INDEX tenants_organization ON tenants (organization_id, tenant_id);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    contract_number TEXT NOT NULL,
    product_line TEXT NOT NULL,
    contracting_corporation TEXT NOT NULL,
    plan TEXT NOT NULL CHECK (plan IN ('basic', 'advanced', 'premium')),
    channel TEXT NOT NULL CHECK (channel IN ('direct', 'partner')),
    partner_name TEXT,
    created_at BIGINT NOT NULL,
    CHECK ((channel = 'partner') = (partner_name IS NOT NULL))
);
CREATE UNIQUE INDEX contracts_contract_number_key ON contracts (contract_number);
CREATE INDEX contracts_organization ON contracts (organization_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'customer_admin', 'agent', 'admin')),
    organization_id TEXT REFERENCES organizations (id),
    locale TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    time_zone TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    CHECK ((role IN ('customer', 'customer_admin')) = (organization_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_organization ON users (organization_id, role);

CREATE TABLE ticket_permissions (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contract_id TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('view', 'edit')),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, contract_id)
);
CREATE INDEX ticket_permissions_contract ON ticket_permissions (contract_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE desks (
    code TEXT PRIMARY KEY CHECK (code IN ('general', 'premium')),
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE desk_members (
    desk TEXT NOT NULL REFERENCES desks (code),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (desk, user_id)
);
CREATE INDEX desk_members_user ON desk_members (user_id);

CREATE TABLE ticket_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description_ja TEXT NOT NULL,
    description_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('inquiry', 'incident')),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'callback')),
    desk TEXT NOT NULL REFERENCES desks (code),
    position BIGINT NOT NULL
);

CREATE TABLE ticket_type_plans (
    ticket_type TEXT NOT NULL REFERENCES ticket_types (code) ON DELETE CASCADE,
    plan TEXT NOT NULL CHECK (plan IN ('basic', 'advanced', 'premium')),
    PRIMARY KEY (ticket_type, plan)
);

CREATE TABLE service_menus (
    key TEXT PRIMARY KEY,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE service_menu_items (
    menu_key TEXT NOT NULL REFERENCES service_menus (key) ON DELETE CASCADE,
    key TEXT NOT NULL,
    label_ja TEXT NOT NULL,
    label_en TEXT NOT NULL,
    input TEXT NOT NULL CHECK (input IN ('text', 'textarea', 'select', 'datetime')),
    requirement TEXT NOT NULL CHECK (requirement IN ('required', 'optional')),
    -- A JSON array of the choices of a `select` item.
    options TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (menu_key, key)
);

-- The event log: the audit history, the search feed, the source of notifications.
-- No foreign keys: history outlives what it talks about.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at BIGINT NOT NULL,
    actor_id TEXT,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    organization_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX events_subject ON events (subject_id, id);

-- Messages someone must hear of, written in the same transaction as their event.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
