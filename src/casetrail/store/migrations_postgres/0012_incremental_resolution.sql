-- PostgreSQL's dialect of migrations/0012: what a resolution run keeps for the next, incremental one.
CREATE TABLE resolution_runs (
    id        BIGINT PRIMARY KEY,
    kind      TEXT NOT NULL,
    pipeline  TEXT NOT NULL,
    decisions BIGINT NOT NULL,
    documents BIGINT NOT NULL,
    at        TEXT NOT NULL,
    model     TEXT
);
CREATE TABLE resolved_documents (
    document_id TEXT PRIMARY KEY,
    run         BIGINT NOT NULL
);
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
    records   BIGINT NOT NULL,
    PRIMARY KEY (digest, entity_id)
);
CREATE INDEX resolution_holdings_entity ON resolution_holdings(entity_id);
CREATE TABLE resolution_anchors (
    entity_id TEXT PRIMARY KEY,
    anchor    TEXT NOT NULL
);
CREATE TABLE resolution_keyed (
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE resolution_names (
    entity_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    records   BIGINT NOT NULL,
    PRIMARY KEY (entity_id, name)
);
CREATE INDEX entity_mentions_record ON entity_mentions(record_id);
CREATE TRIGGER generations_resolution_run AFTER INSERT ON resolution_runs
    FOR EACH ROW EXECUTE FUNCTION bump_generations('entities');
