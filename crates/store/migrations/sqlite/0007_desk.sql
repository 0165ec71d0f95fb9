-- The support desk (SPEC §5–6): priorities p1–p4, SLA due times, merge, closing times,
-- satisfaction, callback attempts, canned replies, SLA targets, the business calendar and the
-- operator's settings.

-- Priorities are p1 (most urgent) to p4; every ticket has one, so that queues sort by it. The
-- earlier words carry over: urgent → p1, high → p2, normal or none → p3, low → p4.
ALTER TABLE tickets ADD COLUMN priority_code TEXT NOT NULL DEFAULT 'p3' CHECK (priority_code IN ('p1', 'p2', 'p3', 'p4'));
UPDATE tickets SET priority_code = CASE priority WHEN 'urgent' THEN 'p1' WHEN 'high' THEN 'p2' WHEN 'low' THEN 'p4' ELSE 'p3' END;
ALTER TABLE tickets DROP COLUMN priority;
ALTER TABLE tickets RENAME COLUMN priority_code TO priority;

-- The ticket's SLA record (core::sla::TicketSla). `sla_due_at` / `sla_due_soon_at` are the
-- active deadline (NULL while paused, met with nothing more due, or closed), kept as columns so
-- that queues filter due-soon and breached tickets with plain comparisons on an index.
ALTER TABLE tickets ADD COLUMN sla_first_response_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_first_responded_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_next_update_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_paused_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_due_soon_at BIGINT;
-- Which targets were ever breached (comma-separated `first_response`, `update`), and the due
-- time whose breach the breach job last recorded (so each breach becomes one event).
ALTER TABLE tickets ADD COLUMN sla_breached TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_breach_recorded_due BIGINT;

-- When the status last changed (auto-close counts pending-closure days from it).
ALTER TABLE tickets ADD COLUMN status_changed_at BIGINT;
ALTER TABLE tickets ADD COLUMN closed_at BIGINT;
-- A duplicate closes into the ticket that survives.
ALTER TABLE tickets ADD COLUMN merged_into TEXT REFERENCES tickets (id);
-- The filer's rating of a closed ticket, once.
ALTER TABLE tickets ADD COLUMN satisfaction_rating BIGINT CHECK (satisfaction_rating BETWEEN 1 AND 5);
ALTER TABLE tickets ADD COLUMN satisfaction_comment TEXT;
ALTER TABLE tickets ADD COLUMN satisfaction_at BIGINT;

UPDATE tickets SET status_changed_at = updated_at;
UPDATE tickets SET closed_at = updated_at WHERE status = 'closed';

-- Where a message came from.
ALTER TABLE messages ADD COLUMN via TEXT NOT NULL DEFAULT 'web' CHECK (via IN ('web', 'api', 'email'));

CREATE INDEX tickets_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_pending_closure ON tickets (status, status_changed_at);
CREATE INDEX tickets_sla_due ON tickets (desk, sla_due_at);

-- Each call made for a callback ticket, with its outcome.
CREATE TABLE callback_attempts (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL REFERENCES users (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'voicemail', 'rescheduled')),
    note TEXT,
    next_at BIGINT,
    created_at BIGINT NOT NULL,
    CHECK ((outcome = 'rescheduled') = (next_at IS NOT NULL))
);
CREATE INDEX callback_attempts_ticket ON callback_attempts (ticket_id, id);

-- Canned replies: an agent's own (owner_id) or shared by a desk (desk), never both.
CREATE TABLE canned_replies (
    id TEXT PRIMARY KEY,
    owner_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    desk TEXT REFERENCES desks (code),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((owner_id IS NULL) <> (desk IS NULL))
);
CREATE INDEX canned_replies_owner ON canned_replies (owner_id);
CREATE INDEX canned_replies_desk ON canned_replies (desk);

-- SLA targets per plan and ticket kind (SPEC §6), seeded from core, edited by admins.
CREATE TABLE sla_policies (
    plan TEXT NOT NULL CHECK (plan IN ('basic', 'advanced', 'premium')),
    kind TEXT NOT NULL CHECK (kind IN ('inquiry', 'incident')),
    first_response_minutes BIGINT NOT NULL CHECK (first_response_minutes > 0),
    update_minutes BIGINT NOT NULL CHECK (update_minutes > 0),
    clock TEXT NOT NULL CHECK (clock IN ('around_the_clock', 'business_hours')),
    PRIMARY KEY (plan, kind)
);

-- The business calendar: working hours per ISO weekday (1 = Monday; a missing day is closed),
-- minutes from midnight in the calendar's time zone (the `calendar_time_zone` setting).
CREATE TABLE business_hours (
    weekday BIGINT PRIMARY KEY CHECK (weekday BETWEEN 1 AND 7),
    start_minute BIGINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute BIGINT NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute < end_minute)
);

-- Days off: Japanese public holidays and the year-end closure, seeded, edited by admins.
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- The operator's settings (auto_close_days, full_text_emails, calendar_time_zone).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
