-- The last TOTP time step (Unix time // 30) each user signed in with. A code is accepted only
-- for a step later than this one, so a code seen over a shoulder, in a proxy log or phished in
-- real time cannot be used a second time within its 90-second window (RFC 6238, section 5.2).
-- NULL until the first code is accepted; cleared when a new secret is enrolled.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
