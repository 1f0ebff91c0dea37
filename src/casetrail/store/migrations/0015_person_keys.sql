-- Which person and officer entities a member of staff may be: each entity under its folded
-- surnames with its given names' initials, and its collar numbers
-- (casetrail.resolution.matching.person_keys), written with the entity by every resolution run, so
-- that the independence rules read the few entities sharing a staff member's surname and initial
-- instead of each worker holding every entity in memory. A key may outlive
-- a spelling that a seal removed: readers judge each candidate on the entity as it is now.
CREATE TABLE person_keys (
    key       TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;
CREATE INDEX person_keys_entity ON person_keys(entity_id);
-- Which rules filed the whole index is kept in read_models ('person_keys'): a full resolution run
-- files it whole; a store upgraded with entities is filed again by its next reader.
-- Entities a seal took keys from (they may have quoted the sealed text), to be filed again from
-- what remains by the index's next reader.
CREATE TABLE person_keys_stale (
    entity_id TEXT PRIMARY KEY
) WITHOUT ROWID;
