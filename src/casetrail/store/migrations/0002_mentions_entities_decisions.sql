-- What documents say: mentions, one row per span per extractor version. Never updated.
CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    type        TEXT NOT NULL,
    extractor   TEXT NOT NULL,
    confidence  REAL NOT NULL,
    attributes  TEXT NOT NULL,
    UNIQUE (document_id, start, "end", type, extractor)
);
CREATE INDEX mentions_document ON mentions(document_id);
-- Which pipeline version has read which document, so re-runs only read what is new.
CREATE TABLE extractions (
    document_id TEXT NOT NULL,
    pipeline    TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (document_id, pipeline)
);
-- Investigators' decisions; each row mirrors a decision.recorded event at leaf_index.
CREATE TABLE decisions (
    leaf_index INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    left_ref   TEXT NOT NULL,
    right_ref  TEXT,
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL
);
-- What the investigation currently concludes: rebuilt by each resolution run.
CREATE TABLE entities (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    aliases    TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE TABLE entity_mentions (
    entity_id  TEXT NOT NULL,
    mention_id INTEGER NOT NULL,
    record_id  TEXT NOT NULL,
    PRIMARY KEY (entity_id, mention_id)
);
CREATE INDEX entity_mentions_mention ON entity_mentions(mention_id);
