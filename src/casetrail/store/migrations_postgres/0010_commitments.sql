-- PostgreSQL's dialect of migrations/0010: each version-2 event's commitment salt, and the
-- committed values with no other home in the store.
CREATE TABLE commitments (
    leaf_index BIGINT PRIMARY KEY,
    salt       BYTEA NOT NULL,
    held       TEXT NOT NULL DEFAULT '{}'
);
