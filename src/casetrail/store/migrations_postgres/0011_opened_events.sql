-- PostgreSQL's dialect of migrations/0011: each committed event as recorded, beside its salt.
ALTER TABLE commitments ADD COLUMN opened BYTEA;
