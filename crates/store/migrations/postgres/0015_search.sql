-- Synonym groups (同義語) that ticket and article search apply to queries: phrases that mean
-- the same, edited by agents, seeded with the support domain's usual paraphrases.
CREATE TABLE synonym_groups (
    id TEXT PRIMARY KEY,
    phrases TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
