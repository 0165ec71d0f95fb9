-- The desks' queues (SPEC §6): counts that stay exact and cheap at 100 000 open tickets, and the
-- indexes each sort of the queue reads in order.

-- Open tickets (every status but closed) per desk, status and assignee ('' for nobody). Kept by
-- the trigger below in the transaction of every ticket write, whichever code path writes:
-- filing, replies, the agent's changes, closing, merging, moving desks, auto-close. A queue's
-- counts then read a handful of rows instead of counting its tickets.
CREATE TABLE queue_counts (
    desk TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (desk, status, assignee_id)
);

INSERT INTO queue_counts (desk, status, assignee_id, n)
SELECT desk, status, COALESCE(assignee_id, ''), COUNT(*) FROM tickets
WHERE status <> 'closed'
GROUP BY desk, status, COALESCE(assignee_id, '');

-- Concurrent ticket writes would otherwise lock counter rows in different orders (a status moving
-- new → in_progress in one transaction, in_progress → new in another) and deadlock; one
-- transaction-scoped advisory lock taken first orders them. Ticket writes were already
-- serialised per desk by the counter rows themselves; reads never wait.
CREATE FUNCTION queue_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7305690021);
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        IF OLD.status <> 'closed' THEN
            UPDATE queue_counts SET n = n - 1
            WHERE desk = OLD.desk AND status = OLD.status AND assignee_id = COALESCE(OLD.assignee_id, '');
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        IF NEW.status <> 'closed' THEN
            INSERT INTO queue_counts (desk, status, assignee_id, n)
            VALUES (NEW.desk, NEW.status, COALESCE(NEW.assignee_id, ''), 1)
            ON CONFLICT (desk, status, assignee_id) DO UPDATE SET n = queue_counts.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER queue_counts_filed AFTER INSERT OR DELETE ON tickets
FOR EACH ROW EXECUTE FUNCTION queue_counts_track();
CREATE TRIGGER queue_counts_changed AFTER UPDATE OF desk, status, assignee_id ON tickets
FOR EACH ROW
WHEN (OLD.desk IS DISTINCT FROM NEW.desk OR OLD.status IS DISTINCT FROM NEW.status
      OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
EXECUTE FUNCTION queue_counts_track();

-- The open tickets of a desk in each sort's order (partial indexes: closed tickets, the bulk of
-- a desk's history, are not in them). `oldest` follows the key; `due` puts tickets with no due
-- time last; `updated` is read backwards.
CREATE INDEX tickets_queue_oldest ON tickets (desk, number) WHERE status <> 'closed';
CREATE INDEX tickets_queue_priority ON tickets (desk, priority, number) WHERE status <> 'closed';
CREATE INDEX tickets_queue_updated ON tickets (desk, updated_at, number) WHERE status <> 'closed';
CREATE INDEX tickets_queue_due ON tickets (desk, (COALESCE(sla_due_at, 9223372036854775807)), number) WHERE status <> 'closed';
-- SLA counts: breached (`sla_due_at <= now`) and due soon (`sla_due_soon_at <= now < sla_due_at`)
-- read an index range as long as those tickets are, and nothing else (`status` is there so
-- that the index covers the query: no table lookups).
CREATE INDEX tickets_queue_breached ON tickets (desk, sla_due_at, status) WHERE status <> 'closed';
CREATE INDEX tickets_queue_due_soon ON tickets (desk, sla_due_soon_at, sla_due_at, status) WHERE status <> 'closed';
-- One assignee's open tickets of a desk (the "mine" and "someone" filters).
CREATE INDEX tickets_queue_assignee ON tickets (desk, assignee_id, number) WHERE status <> 'closed';
