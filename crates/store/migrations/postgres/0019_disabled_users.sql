-- A disabled user (set by an admin) cannot sign in, and their sessions and API tokens stop
-- working; nothing of theirs is deleted, and enabling them again clears the mark.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
