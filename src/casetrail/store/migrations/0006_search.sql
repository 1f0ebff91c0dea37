-- Full-text search over documents' extracted text (SQLite FTS5). An external-content index: the
-- text stays in `documents` only, and triggers keep the index in step, so sealing a document
-- (its text set to NULL) also takes it out of search. Who may see a hit is decided above the
-- store, by need-to-know; the index itself knows nothing of access.
CREATE VIRTUAL TABLE documents_search USING fts5(
    text,
    content = 'documents',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO documents_search (rowid, text) SELECT seq, text FROM documents WHERE text IS NOT NULL;
CREATE TRIGGER documents_search_added AFTER INSERT ON documents WHEN new.text IS NOT NULL
BEGIN
    INSERT INTO documents_search (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER documents_search_text_removed AFTER UPDATE OF text ON documents WHEN old.text IS NOT NULL
BEGIN
    INSERT INTO documents_search (documents_search, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER documents_search_text_added AFTER UPDATE OF text ON documents WHEN new.text IS NOT NULL
BEGIN
    INSERT INTO documents_search (rowid, text) VALUES (new.seq, new.text);
END;
