-- The audit log reads the event log newest first by organization, by actor or by kind
-- (`audit.rs`): each filter walks its own index backwards from the cursor.
CREATE INDEX events_organization ON events (organization_id, id);
CREATE INDEX events_actor ON events (actor_id, id);
CREATE INDEX events_kind ON events (kind, id);
