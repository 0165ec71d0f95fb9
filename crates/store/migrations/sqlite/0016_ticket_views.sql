-- When each user last looked at each ticket, so that lists mark what changed since (a new
-- reply, a new note, a new status). Opening a ticket, and writing or changing anything on it,
-- counts as looking. A user's looks go with the user and the ticket.
CREATE TABLE ticket_views (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
-- Marks begin now: what happened before this migration is not news to anyone.
INSERT INTO settings (key, value) VALUES ('marks_since', CAST(CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) AS TEXT));
