-- A log that reveals nothing (issue 12). A version-2 event leaf carries, instead of each
-- identifying field (a file name, a submitter, a title, a free-text reason), a salted commitment
-- (casetrail.ledger.commitments). The event's 32-byte salt lives here, inside the encrypted
-- database, and never in the log; `held` keeps, as JSON, the committed values that have no other
-- home in the store (an amendment's reason). `casetrail verify` recomputes every commitment.
CREATE TABLE commitments (
    leaf_index INTEGER PRIMARY KEY,
    salt       BLOB NOT NULL,
    held       TEXT NOT NULL DEFAULT '{}'
);
