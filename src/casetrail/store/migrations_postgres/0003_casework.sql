-- PostgreSQL's dialect of migrations/0003.
-- Casework events (cases, allegations, assignments, actions, ...) live in the ledger like
-- everything else; this index finds them without scanning it. State is a replay of them.
CREATE TABLE casework_events (
    leaf_index BIGINT PRIMARY KEY,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL
);
CREATE INDEX casework_events_subject ON casework_events(subject);
