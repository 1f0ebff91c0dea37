-- How each document's text was read (intake's Reading), so nothing sits in the store silently empty.
-- `document_readings` says whether any text was found, and why not when none was; the ledger event
-- commits to the same status and reason (Document.metadata), and the status follows from the text,
-- whose hash the event also holds. A document with no row here was recorded by code that predates
-- readings and counts as read.
CREATE TABLE document_readings (
    document_id TEXT PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('read', 'no_text')),
    reason      TEXT
) WITHOUT ROWID;
CREATE INDEX document_readings_status ON document_readings(status);
-- Per page: where its text sits in the document's text, and whether it came from the file's own
-- characters or from OCR (with Tesseract's confidence). Mentions are never rewritten: which of them
-- came from OCR is found by joining their spans to these rows, so no document is read again.
CREATE TABLE page_sources (
    document_id TEXT NOT NULL,
    page        INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('text', 'ocr')),
    confidence  REAL,
    words       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, page)
) WITHOUT ROWID;
-- Documents recorded empty before this migration (an image-only PDF read with no OCR) are listed
-- too: their reason is left NULL, which the listing shows as "recorded before casetrail said why".
INSERT INTO document_readings (document_id, status, reason)
    SELECT id, 'no_text', NULL FROM documents
    WHERE text IS NOT NULL AND trim(text, ' ' || char(9, 10, 11, 12, 13)) = '';
