-- PostgreSQL's dialect of migrations/0019: the detail counts kept with the accounts model.
CREATE TABLE account_common_details (
    detail_kind TEXT NOT NULL,
    detail_key  TEXT NOT NULL,
    low         BIGINT NOT NULL,
    high        BIGINT NOT NULL,
    PRIMARY KEY (detail_kind, detail_key)
);
-- Who gave each document in a case, as the accounts model was built from it: a document given by a
-- party that gave another joins their accounts in place; a party changed or gone needs a build.
CREATE TABLE account_given (
    document_id TEXT PRIMARY KEY,
    party       TEXT NOT NULL
);
