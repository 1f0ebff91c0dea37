-- Entity name search (EntityView.named) through an index instead of reading every entity: each
-- entity's name and aliases as one casefolded text, written by the store in Python with every
-- entity it writes (SQL cannot casefold as Python does: 'Strauß' holds 'strauss', the Kelvin sign
-- is a 'k'), under a trigram index that finds any substring of three characters or more.
-- `seq` is the index's rowid: an explicit INTEGER PRIMARY KEY, since VACUUM (and the backup's
-- VACUUM INTO) may renumber an implicit rowid and so cut the index from its rows.
CREATE TABLE entity_names (
    seq       INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL UNIQUE,
    folded    TEXT NOT NULL
);
-- External content: the text stays in entity_names only, triggers keep the index in step.
-- Case-sensitive: the text and the words searched for are casefolded already.
CREATE VIRTUAL TABLE entity_names_search USING fts5(
    folded,
    content = 'entity_names',
    content_rowid = 'seq',
    tokenize = 'trigram case_sensitive 1'
);
CREATE TRIGGER entity_names_added AFTER INSERT ON entity_names
BEGIN
    INSERT INTO entity_names_search (rowid, folded) VALUES (new.seq, new.folded);
END;
CREATE TRIGGER entity_names_removed AFTER DELETE ON entity_names
BEGIN
    INSERT INTO entity_names_search (entity_names_search, rowid, folded) VALUES ('delete', old.seq, old.folded);
END;
CREATE TRIGGER entity_names_changed AFTER UPDATE ON entity_names
BEGIN
    INSERT INTO entity_names_search (entity_names_search, rowid, folded) VALUES ('delete', old.seq, old.folded);
    INSERT INTO entity_names_search (rowid, folded) VALUES (new.seq, new.folded);
END;
-- Which folding filed every entity (one row; none in a store upgraded with entities, whose next
-- writable reader files them all: until then, and on a read-only copy, a search reads every
-- entity as before). Not in read_models: a seal clears those, and a seal renames here the few
-- entities the sealed text named rather than leaving all to file again.
CREATE TABLE entity_names_filed (
    stamp TEXT PRIMARY KEY
);
