-- PostgreSQL's dialect of migrations/0001 (same tables and columns). Integers that count leaves,
-- bytes or documents are BIGINT: SQLite's INTEGER is 64-bit, PostgreSQL's is not.
-- The ledger: leaf data, stored perfect-subtree hashes, signed checkpoints.
CREATE TABLE entries (
    idx  BIGINT PRIMARY KEY,
    data BYTEA NOT NULL
);
-- (level, idx) is the perfect subtree over leaves [idx * 2^level, (idx + 1) * 2^level).
CREATE TABLE nodes (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT NOT NULL
);
-- Registered documents. Original bytes live in the content-addressed object store;
-- the text read from them lives here. Both are NULL/absent once a document is sealed.
CREATE TABLE documents (
    seq          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    sha256       TEXT NOT NULL UNIQUE,
    text_sha256  TEXT NOT NULL,
    size         BIGINT NOT NULL,
    media_type   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    channel      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    source_name  TEXT NOT NULL,
    title        TEXT,
    parent_id    TEXT,
    amends       TEXT,
    text         TEXT,
    status       TEXT NOT NULL DEFAULT 'active',
    leaf_index   BIGINT NOT NULL
);
CREATE INDEX documents_parent ON documents(parent_id);
CREATE INDEX documents_amends ON documents(amends);
