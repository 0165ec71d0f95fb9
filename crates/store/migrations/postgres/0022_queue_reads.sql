-- The queue's SLA counts (due soon, breached) without counting tickets: the SLA job marks each
-- open ticket when its due-soon moment passes (`sla_due_soon_marked_due`, like
-- `sla_breach_recorded_due` for breaches: the due it marked, so a new due unmarks it), and
-- `sla_counts` holds per desk how many open tickets stand marked. A queue then reads two rows
-- plus the few tickets that changed state since the job's last run (every 30 s), which the
-- partial indexes below hold and nothing else.
ALTER TABLE tickets ADD COLUMN sla_due_soon_marked_due BIGINT;

-- Marked states per desk: `breached` (the breach of the current due is recorded) and
-- `due_soon` (its due-soon moment is marked, its breach not recorded). Kept by the trigger
-- below in the transaction of every ticket write.
CREATE TABLE sla_counts (
    desk TEXT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (desk, state)
);

-- The marked state of a ticket row, or NULL.
CREATE FUNCTION sla_marked_state(status TEXT, due BIGINT, recorded BIGINT, marked BIGINT)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'closed' OR due IS NULL THEN NULL
                WHEN recorded = due THEN 'breached'
                WHEN marked = due THEN 'due_soon' END
$$;

-- The same advisory lock as `queue_counts_track` orders the counter rows' locks.
CREATE FUNCTION sla_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before TEXT;
    after TEXT;
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        before := sla_marked_state(OLD.status, OLD.sla_due_at, OLD.sla_breach_recorded_due, OLD.sla_due_soon_marked_due);
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        after := sla_marked_state(NEW.status, NEW.sla_due_at, NEW.sla_breach_recorded_due, NEW.sla_due_soon_marked_due);
    END IF;
    IF TG_OP = 'UPDATE' AND before IS NOT DISTINCT FROM after AND OLD.desk = NEW.desk THEN
        RETURN NULL;
    END IF;
    IF before IS NULL AND after IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7305690021);
    IF before IS NOT NULL THEN
        UPDATE sla_counts SET n = n - 1 WHERE desk = OLD.desk AND state = before;
    END IF;
    IF after IS NOT NULL THEN
        INSERT INTO sla_counts (desk, state, n) VALUES (NEW.desk, after, 1)
        ON CONFLICT (desk, state) DO UPDATE SET n = sla_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sla_counts_filed AFTER INSERT OR DELETE ON tickets
FOR EACH ROW EXECUTE FUNCTION sla_counts_track();
CREATE TRIGGER sla_counts_changed
AFTER UPDATE OF desk, status, sla_due_at, sla_breach_recorded_due, sla_due_soon_marked_due ON tickets
FOR EACH ROW EXECUTE FUNCTION sla_counts_track();

-- Recorded breaches of tickets open now (none are marked due soon yet).
INSERT INTO sla_counts (desk, state, n)
SELECT desk, 'breached', COUNT(*) FROM tickets
WHERE status <> 'closed' AND sla_due_at IS NOT NULL AND sla_breach_recorded_due = sla_due_at
GROUP BY desk;

-- What the job has not marked: the breached count adds those of these whose due has passed
-- (the job records them within 30 s), the due-soon count those whose due-soon moment has.
-- (`tickets_queue_breached` and `tickets_queue_due_soon` stay for the queue's SLA filters.)
CREATE INDEX tickets_sla_unrecorded ON tickets (desk, sla_due_at, sla_due_soon_marked_due)
WHERE status <> 'closed' AND sla_due_at IS NOT NULL
  AND (sla_breach_recorded_due IS NULL OR sla_breach_recorded_due <> sla_due_at);
CREATE INDEX tickets_sla_unmarked ON tickets (desk, sla_due_soon_at, sla_due_at)
WHERE status <> 'closed' AND sla_due_at IS NOT NULL
  AND (sla_due_soon_marked_due IS NULL OR sla_due_soon_marked_due <> sla_due_at);

-- What changed on a ticket, as lists mark it for a reader (core::seen): the latest public
-- reply, internal note and status change with who made each, kept on the ticket by the
-- triggers below as messages and events are written, so that a page of 50 tickets reads
-- them from its rows instead of searching messages and events three times per ticket. The
-- latest by anyone is enough: whoever writes or changes a ticket has seen it then
-- (`ticket_views`), so an earlier change by someone else is never news to the one who made
-- the latest.
ALTER TABLE tickets ADD COLUMN last_reply_at BIGINT, ADD COLUMN last_reply_by TEXT,
    ADD COLUMN last_note_at BIGINT, ADD COLUMN last_note_by TEXT,
    ADD COLUMN last_status_at BIGINT, ADD COLUMN last_status_by TEXT;

UPDATE tickets t SET last_reply_at = m.created_at, last_reply_by = m.author_id
FROM (SELECT DISTINCT ON (ticket_id) ticket_id, created_at, author_id FROM messages
      WHERE visibility = 'public' ORDER BY ticket_id, created_at DESC, id DESC) m
WHERE m.ticket_id = t.id;
UPDATE tickets t SET last_note_at = m.created_at, last_note_by = m.author_id
FROM (SELECT DISTINCT ON (ticket_id) ticket_id, created_at, author_id FROM messages
      WHERE visibility = 'internal' ORDER BY ticket_id, created_at DESC, id DESC) m
WHERE m.ticket_id = t.id;
UPDATE tickets t SET last_status_at = e.occurred_at, last_status_by = e.actor_id
FROM (SELECT DISTINCT ON (subject_id) subject_id, occurred_at, actor_id FROM events
      WHERE kind = 'ticket.status_changed' ORDER BY subject_id, occurred_at DESC, id DESC) e
WHERE e.subject_id = t.id;

CREATE FUNCTION ticket_last_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visibility = 'public' THEN
        UPDATE tickets SET last_reply_at = NEW.created_at, last_reply_by = NEW.author_id
        WHERE id = NEW.ticket_id AND (last_reply_at IS NULL OR last_reply_at <= NEW.created_at);
    ELSIF NEW.visibility = 'internal' THEN
        UPDATE tickets SET last_note_at = NEW.created_at, last_note_by = NEW.author_id
        WHERE id = NEW.ticket_id AND (last_note_at IS NULL OR last_note_at <= NEW.created_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ticket_last_message AFTER INSERT ON messages
FOR EACH ROW EXECUTE FUNCTION ticket_last_message();

CREATE FUNCTION ticket_last_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET last_status_at = NEW.occurred_at, last_status_by = NEW.actor_id
    WHERE id = NEW.subject_id AND (last_status_at IS NULL OR last_status_at <= NEW.occurred_at);
    RETURN NULL;
END
$$;

CREATE TRIGGER ticket_last_status AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.kind = 'ticket.status_changed') EXECUTE FUNCTION ticket_last_status();
