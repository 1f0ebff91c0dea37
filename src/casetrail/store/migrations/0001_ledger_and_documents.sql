-- The ledger: leaf data, stored perfect-subtree hashes, signed checkpoints.
CREATE TABLE entries (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
-- (level, idx) is the perfect subtree over leaves [idx * 2^level, (idx + 1) * 2^level).
CREATE TABLE nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL
);
-- Registered documents. Original bytes live in the content-addressed object store;
-- the text read from them lives here. Both are NULL/absent once a document is sealed.
CREATE TABLE documents (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    sha256       TEXT NOT NULL UNIQUE,
    text_sha256  TEXT NOT NULL,
    size         INTEGER NOT NULL,
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
    leaf_index   INTEGER NOT NULL
);
CREATE INDEX documents_parent ON documents(parent_id);
CREATE INDEX documents_amends ON documents(amends);
