-- The counts beside the ticket list read only these columns: a covering index spares the
-- table lookups.
CREATE INDEX tickets_counts ON tickets (organization_id, contract_id, status, id);
