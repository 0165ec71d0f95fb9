-- The knowledge center: FAQ, known issues, error messages and their remedies.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('faq', 'known_issue', 'error_message')),
    title TEXT NOT NULL,
    -- Markdown; rendered and sanitised when shown.
    body TEXT NOT NULL,
    -- A JSON array of service menu keys.
    service_menus TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    author_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kb_articles_kind ON kb_articles (kind, state, id);
