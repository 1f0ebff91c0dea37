-- PostgreSQL's dialect of migrations/0009: per-document data keys, wrapped by the store's KEK.
-- SQLite's secure_delete zeroes a deleted key in its page; PostgreSQL leaves dead tuples until
-- VACUUM reclaims them (and in WAL and backups until those age out), so on this backend crypto-
-- shredding also relies on the server's storage being encrypted and its WAL and backups expiring.
CREATE TABLE data_keys (
    sha256  TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    kek_id  TEXT NOT NULL,
    wrapped BYTEA NOT NULL
);
CREATE INDEX data_keys_kek ON data_keys(kek_id);
