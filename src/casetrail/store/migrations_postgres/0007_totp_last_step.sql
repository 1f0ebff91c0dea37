-- PostgreSQL's dialect of migrations/0007: the last TOTP time step each user signed in with.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
