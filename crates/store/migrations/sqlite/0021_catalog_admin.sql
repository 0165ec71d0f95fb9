-- The catalog becomes admins' data (issue 13). Ticket types get a Japanese name (the seeded
-- ones keep the guide's English name in both languages), and types, menus and items can be
-- retired: no longer offered for new tickets, still shown on the tickets that carry them.
-- `retired_at` is NULL while offered.
ALTER TABLE ticket_types ADD COLUMN name_ja TEXT NOT NULL DEFAULT '';
UPDATE ticket_types SET name_ja = name;
ALTER TABLE ticket_types ADD COLUMN retired_at BIGINT;
ALTER TABLE service_menus ADD COLUMN retired_at BIGINT;
ALTER TABLE service_menu_items ADD COLUMN retired_at BIGINT;
