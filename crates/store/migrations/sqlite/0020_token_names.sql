-- API tokens get a name their owner recognises them by and an optional expiry, after which
-- they are refused (tokens made before this have neither and never expire).
ALTER TABLE api_tokens ADD COLUMN name TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
