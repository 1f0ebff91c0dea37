-- Read models: what the workbench derives from the store and every worker reads, kept here so
-- that one process computes it and the others read it by indexed queries instead of each
-- recomputing it in its own memory (casetrail.store.read_models).
-- Which kept model was built from which inputs: `stamp` is an opaque string its builder computes
-- from them, so a reader can tell whether the model is current.
CREATE TABLE read_models (
    name     TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    built_at TEXT NOT NULL
);
-- Which documents form one independent account (casetrail.linking.accounts.group_accounts).
CREATE TABLE document_accounts (
    document_id TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL
);
CREATE INDEX document_accounts_account ON document_accounts(account_id);
-- Proposed same-account pairs, best first (rank 0 is the first), each with its reasons as a JSON
-- list. The reasons quote names read from documents' text: sealing a document clears them all.
CREATE TABLE account_proposals (
    rank     INTEGER PRIMARY KEY,
    left_id  TEXT NOT NULL,
    right_id TEXT NOT NULL,
    score    REAL NOT NULL,
    reasons  TEXT NOT NULL
);
CREATE INDEX account_proposals_left ON account_proposals(left_id);
CREATE INDEX account_proposals_right ON account_proposals(right_id);
