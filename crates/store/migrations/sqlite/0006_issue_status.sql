-- Known issues say where they stand: investigating, in_progress or resolved.
ALTER TABLE kb_articles ADD COLUMN issue_status TEXT CHECK (issue_status IN ('investigating', 'in_progress', 'resolved'));
