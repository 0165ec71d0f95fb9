-- When each user last looked at each ticket, so that lists mark what changed since (a new
-- reply, a new note, a new status). Opening a ticket, and writing or changing anything on it,
-- counts as looking.
CREATE TABLE ticket_views (
    user_id TEXT NOT NULL REFERENCES users (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
