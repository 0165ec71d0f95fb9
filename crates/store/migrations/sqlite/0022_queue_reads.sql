-- The queue's SLA counts (due soon, breached) without counting tickets: the SLA job marks each
-- open ticket when its due-soon moment passes (`sla_due_soon_marked_due`, like
-- `sla_breach_recorded_due` for breaches: the due it marked, so a new due unmarks it), and
-- `sla_counts` holds per desk how many open tickets stand marked. A queue then reads two rows
-- plus the few tickets that changed state since the job's last run (every 30 s), which the
-- partial indexes below hold and nothing else.
ALTER TABLE tickets ADD COLUMN sla_due_soon_marked_due BIGINT;

-- Marked states per desk: `breached` (the breach of the current due is recorded) and
-- `due_soon` (its due-soon moment is marked, its breach not recorded). Kept by the triggers
-- below in the transaction of every ticket write.
CREATE TABLE sla_counts (
    desk TEXT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (desk, state)
);

CREATE TRIGGER sla_counts_filed AFTER INSERT ON tickets
WHEN NEW.status <> 'closed' AND NEW.sla_due_at IS NOT NULL
  AND (NEW.sla_breach_recorded_due = NEW.sla_due_at OR NEW.sla_due_soon_marked_due = NEW.sla_due_at)
BEGIN
    INSERT INTO sla_counts (desk, state, n)
    VALUES (NEW.desk, CASE WHEN NEW.sla_breach_recorded_due = NEW.sla_due_at THEN 'breached' ELSE 'due_soon' END, 1)
    ON CONFLICT (desk, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER sla_counts_changed
AFTER UPDATE OF desk, status, sla_due_at, sla_breach_recorded_due, sla_due_soon_marked_due ON tickets
WHEN OLD.desk IS NOT NEW.desk
  OR (CASE WHEN OLD.status = 'closed' OR OLD.sla_due_at IS NULL THEN NULL WHEN OLD.sla_breach_recorded_due = OLD.sla_due_at THEN 'breached' WHEN OLD.sla_due_soon_marked_due = OLD.sla_due_at THEN 'due_soon' END)
     IS NOT (CASE WHEN NEW.status = 'closed' OR NEW.sla_due_at IS NULL THEN NULL WHEN NEW.sla_breach_recorded_due = NEW.sla_due_at THEN 'breached' WHEN NEW.sla_due_soon_marked_due = NEW.sla_due_at THEN 'due_soon' END)
BEGIN
    UPDATE sla_counts SET n = n - 1
    WHERE desk = OLD.desk AND OLD.status <> 'closed' AND OLD.sla_due_at IS NOT NULL
      AND state = CASE WHEN OLD.sla_breach_recorded_due = OLD.sla_due_at THEN 'breached'
                       WHEN OLD.sla_due_soon_marked_due = OLD.sla_due_at THEN 'due_soon' END;
    INSERT INTO sla_counts (desk, state, n)
    SELECT NEW.desk, CASE WHEN NEW.sla_breach_recorded_due = NEW.sla_due_at THEN 'breached' ELSE 'due_soon' END, 1
    WHERE NEW.status <> 'closed' AND NEW.sla_due_at IS NOT NULL
      AND (NEW.sla_breach_recorded_due = NEW.sla_due_at OR NEW.sla_due_soon_marked_due = NEW.sla_due_at)
    ON CONFLICT (desk, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER sla_counts_deleted AFTER DELETE ON tickets
WHEN OLD.status <> 'closed' AND OLD.sla_due_at IS NOT NULL
  AND (OLD.sla_breach_recorded_due = OLD.sla_due_at OR OLD.sla_due_soon_marked_due = OLD.sla_due_at)
BEGIN
    UPDATE sla_counts SET n = n - 1
    WHERE desk = OLD.desk
      AND state = CASE WHEN OLD.sla_breach_recorded_due = OLD.sla_due_at THEN 'breached' ELSE 'due_soon' END;
END;

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
ALTER TABLE tickets ADD COLUMN last_reply_at BIGINT;
ALTER TABLE tickets ADD COLUMN last_reply_by TEXT;
ALTER TABLE tickets ADD COLUMN last_note_at BIGINT;
ALTER TABLE tickets ADD COLUMN last_note_by TEXT;
ALTER TABLE tickets ADD COLUMN last_status_at BIGINT;
ALTER TABLE tickets ADD COLUMN last_status_by TEXT;

UPDATE tickets SET
    last_reply_at = (SELECT m.created_at FROM messages m WHERE m.ticket_id = tickets.id
        AND m.visibility = 'public' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
    last_reply_by = (SELECT m.author_id FROM messages m WHERE m.ticket_id = tickets.id
        AND m.visibility = 'public' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
    last_note_at = (SELECT m.created_at FROM messages m WHERE m.ticket_id = tickets.id
        AND m.visibility = 'internal' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
    last_note_by = (SELECT m.author_id FROM messages m WHERE m.ticket_id = tickets.id
        AND m.visibility = 'internal' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
    last_status_at = (SELECT e.occurred_at FROM events e WHERE e.subject_id = tickets.id
        AND e.kind = 'ticket.status_changed' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1),
    last_status_by = (SELECT e.actor_id FROM events e WHERE e.subject_id = tickets.id
        AND e.kind = 'ticket.status_changed' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1);

CREATE TRIGGER ticket_last_reply AFTER INSERT ON messages WHEN NEW.visibility = 'public'
BEGIN
    UPDATE tickets SET last_reply_at = NEW.created_at, last_reply_by = NEW.author_id
    WHERE id = NEW.ticket_id AND (last_reply_at IS NULL OR last_reply_at <= NEW.created_at);
END;

CREATE TRIGGER ticket_last_note AFTER INSERT ON messages WHEN NEW.visibility = 'internal'
BEGIN
    UPDATE tickets SET last_note_at = NEW.created_at, last_note_by = NEW.author_id
    WHERE id = NEW.ticket_id AND (last_note_at IS NULL OR last_note_at <= NEW.created_at);
END;

CREATE TRIGGER ticket_last_status AFTER INSERT ON events WHEN NEW.kind = 'ticket.status_changed'
BEGIN
    UPDATE tickets SET last_status_at = NEW.occurred_at, last_status_by = NEW.actor_id
    WHERE id = NEW.subject_id AND (last_status_at IS NULL OR last_status_at <= NEW.occurred_at);
END;
