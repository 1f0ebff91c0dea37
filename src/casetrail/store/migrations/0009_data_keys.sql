-- Per-document data keys (issue 12). Each original's bytes are encrypted with AES-256-GCM under a
-- key of its own, kept here wrapped by the store's key-encryption key (KEK). The object file is
-- named `name` (an HMAC of the SHA-256 under the store's name key), so objects/ never shows a
-- content hash. Sealing deletes the row: with secure_delete on, the key is gone and the bytes in
-- any later copy are noise. A plaintext store (no KEK) leaves this table empty.
CREATE TABLE data_keys (
    sha256  TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    kek_id  TEXT NOT NULL,
    wrapped BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX data_keys_kek ON data_keys(kek_id);
