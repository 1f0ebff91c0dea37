-- PostgreSQL's dialect of migrations/0018: each entity's casefolded name and aliases, written by
-- the store in Python, under a trigram GIN index (pg_trgm, a trusted extension: the database's
-- owner, or a role with CREATE on it, may create it) that serves LIKE '%word%' for words of three
-- characters or more.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE entity_names (
    entity_id TEXT PRIMARY KEY,
    folded    TEXT NOT NULL
);
-- GIN queues new entries in a pending list that every search reads through; at the default 4 MB,
-- a resolution run's few thousand names made the planner prefer reading every row (9 ms against
-- 0.1-1 ms at 36k entities). A small list is merged in bulk often; none at all (fastupdate off)
-- made filing 36k names take 8.5 s instead of 2.5 s.
CREATE INDEX entity_names_folded ON entity_names USING GIN (folded gin_trgm_ops) WITH (gin_pending_list_limit = 256);
-- Which folding filed every entity (none in a store upgraded with entities: its next writable
-- reader files them all).
CREATE TABLE entity_names_filed (
    stamp TEXT PRIMARY KEY
);
