-- Text search reads one column per record, normalised in Rust (NFKC, lower case) so that
-- ＡＷＳ, aws and AWS, or Ｅrror and error, match alike on both databases. Filled for
-- existing rows by `Store::migrate`.
ALTER TABLE tickets ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_articles ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
