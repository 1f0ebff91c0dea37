-- Local accounts and sessions for the workbench. They live outside the ledger on purpose: login
-- counters and sessions change on every sign-in, and none of them is evidence.
--
-- Every time column holds UTC as 'YYYY-MM-DDTHH:MM:SSZ', one fixed width, so comparing the
-- text compares the instants (expired sessions are deleted with `expires_at <= now`).

-- password_hash is an argon2id PHC string (salt and parameters inside), never the password.
-- roles is a JSON list of StaffRole values. staff_id links the account to a member of staff
-- (S-0001), which is what need-to-know and the independence rules reason about.
-- totp_secret is base32, NULL until a second factor is enrolled; it has to be readable to
-- compute codes, so unlike the password it cannot be hashed.
-- failed_logins counts sign-in failures since the last full success; after too many,
-- locked_until is set and sign-in is refused until then.
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

-- Only the SHA-256 of a session token is stored, never the token: a copy of this database (a
-- backup, a case-file export gone astray) cannot be replayed as someone's session cookie.
-- The token has 256 random bits, so an unsalted fast hash is enough; there is nothing to guess.
-- csrf_token is compared with what a form or X-CSRF-Token header sends back; it is useless
-- without the session cookie, so it is kept as is.
-- second_factor_done is 0 between the password and the TOTP code: such a session may only
-- submit the code.
CREATE TABLE sessions (
    token_hash         TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id),
    csrf_token         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    second_factor_done INTEGER NOT NULL DEFAULT 0
);
-- Disabling an account ends all its sessions; expired ones are swept by expiry.
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);
