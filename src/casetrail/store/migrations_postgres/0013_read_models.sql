-- PostgreSQL's dialect of migrations/0013: read models one process builds and every worker reads.
CREATE TABLE read_models (
    name     TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    built_at TEXT NOT NULL
);
CREATE TABLE document_accounts (
    document_id TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL
);
CREATE INDEX document_accounts_account ON document_accounts(account_id);
CREATE TABLE account_proposals (
    rank     BIGINT PRIMARY KEY,
    left_id  TEXT NOT NULL,
    right_id TEXT NOT NULL,
    score    DOUBLE PRECISION NOT NULL,
    reasons  TEXT NOT NULL
);
CREATE INDEX account_proposals_left ON account_proposals(left_id);
CREATE INDEX account_proposals_right ON account_proposals(right_id);
