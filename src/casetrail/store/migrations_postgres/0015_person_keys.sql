-- PostgreSQL's dialect of migrations/0015: entities under their surnames, initials and collar numbers.
CREATE TABLE person_keys (
    key       TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (key, entity_id)
);
CREATE INDEX person_keys_entity ON person_keys(entity_id);
-- Entities a seal took keys from (they may have quoted the sealed text), to be filed again from
-- what remains by the index's next reader.
CREATE TABLE person_keys_stale (
    entity_id TEXT PRIMARY KEY
);
