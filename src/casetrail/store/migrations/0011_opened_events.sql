-- Every event keeps its log leaf free of names (issue 12). Beyond document events (0010), each
-- casework, audit, account, decision and withdrawal/seal event is logged as salted commitments to
-- its subject, actor and body; `opened` keeps the event as recorded, inside the encrypted
-- database, for the workbench and `verify` (which recommits it and compares with the leaf).
ALTER TABLE commitments ADD COLUMN opened BLOB;
