-- PostgreSQL's dialect of migrations/0004: see that file for what each column holds and why.
-- Flags stay INTEGER 0/1, as in SQLite, so both stores read and write them the same way.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,
    staff_id      TEXT,
    totp_secret   TEXT,
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
);
CREATE TABLE sessions (
    token_hash         TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id),
    csrf_token         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    second_factor_done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);
