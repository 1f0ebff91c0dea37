-- Which person and officer entities a member of staff may be: each entity under its folded
-- surnames and its collar numbers (casetrail.resolution.matching.person_keys), written with the
-- entity by every resolution run, so that the independence rules read the few entities sharing a
-- staff member's surname instead of each worker holding every entity in memory. A key may outlive
-- a spelling that a seal removed: readers judge each candidate on the entity as it is now.
CREATE TABLE person_keys (
    key       TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;
CREATE INDEX person_keys_entity ON person_keys(entity_id);
-- The index is whole when read_models holds 'person_keys': true at once of a store with no
-- entities; a store that has some is indexed by its next reader (casework.independence).
INSERT INTO read_models (name, stamp, built_at)
    SELECT 'person_keys', 'whole', '' WHERE NOT EXISTS (SELECT 1 FROM entities);
