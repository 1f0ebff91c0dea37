-- PostgreSQL's dialect of migrations/0008: how each document's text was read, and per page where
-- its text came from. See that file for why.
CREATE TABLE document_readings (
    document_id TEXT PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('read', 'no_text')),
    reason      TEXT
);
CREATE INDEX document_readings_status ON document_readings(status);
CREATE TABLE page_sources (
    document_id TEXT NOT NULL,
    page        INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('text', 'ocr')),
    confidence  DOUBLE PRECISION,
    words       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, page)
);
INSERT INTO document_readings (document_id, status, reason)
    SELECT id, 'no_text', NULL FROM documents
    WHERE text IS NOT NULL AND btrim(text, E' \t\n\x0b\x0c\r') = '';
