-- Incremental analysis (issue 14): what a resolution run keeps so that the next one can resolve
-- only new documents against the entities it concluded (casetrail.resolution.incremental).
-- Each resolution run: full or incremental, the pipeline whose mentions it read, the newest
-- decision it honoured (-1: none) and, for a full run, the trained linkage model (JSON).
CREATE TABLE resolution_runs (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    pipeline  TEXT NOT NULL,
    decisions INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    at        TEXT NOT NULL,
    model     TEXT
);
-- Which documents the current entities cover, and since which run.
CREATE TABLE resolved_documents (
    document_id TEXT PRIMARY KEY,
    run         INTEGER NOT NULL
);
-- What person records say, once per distinct content (a row), and how many records of each
-- entity say it; the keys blocking compares, to find the rows new records could match.
CREATE TABLE resolution_rows (
    digest TEXT PRIMARY KEY,
    data   TEXT NOT NULL
);
CREATE TABLE resolution_row_keys (
    key    TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (key, digest)
);
CREATE TABLE resolution_holdings (
    digest    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    records   INTEGER NOT NULL,
    PRIMARY KEY (digest, entity_id)
);
CREATE INDEX resolution_holdings_entity ON resolution_holdings(entity_id);
-- Each entity's earliest record, which its id is made from.
CREATE TABLE resolution_anchors (
    entity_id TEXT PRIMARY KEY,
    anchor    TEXT NOT NULL
);
-- Keyed entities (vehicles, phones, organisations, places): each key's newest record and the
-- entity holding it, which a new record of that key joins.
CREATE TABLE resolution_keyed (
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
-- The full names each person entity's records give, and how many give each: what names it.
CREATE TABLE resolution_names (
    entity_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    records   INTEGER NOT NULL,
    PRIMARY KEY (entity_id, name)
);
CREATE INDEX entity_mentions_record ON entity_mentions(record_id);
-- An incremental run adds to entities without replacing them: every run tells readers so.
CREATE TRIGGER generations_resolution_run AFTER INSERT ON resolution_runs
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = 'entities';
END;
