-- The desk's report reads one desk's tickets filed, closed and rated in a period: without these
-- it would read every ticket the desk ever had.
CREATE INDEX tickets_desk_created ON tickets (desk, created_at);
CREATE INDEX tickets_desk_closed ON tickets (desk, closed_at);
CREATE INDEX tickets_desk_rated ON tickets (desk, satisfaction_at);
