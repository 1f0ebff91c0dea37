-- Counters that go up whenever what they name changes, so that a long-lived reader (the
-- workbench) knows when its in-memory views are stale, even when another process wrote.
-- Triggers keep them, so no write path can forget to: documents added or changed (status,
-- sealing), documents read by an extractor (new mentions), and resolution runs (entities
-- replaced). Sealing drops a document's mentions and entity links too, so it bumps all three.
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO generations (name, value) VALUES ('documents', 0), ('mentions', 0), ('entities', 0);
CREATE TRIGGER generations_document_added AFTER INSERT ON documents
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = 'documents';
END;
CREATE TRIGGER generations_document_changed AFTER UPDATE ON documents
BEGIN
    UPDATE generations SET value = value + 1 WHERE name IN ('documents', 'mentions', 'entities');
END;
CREATE TRIGGER generations_document_read AFTER INSERT ON extractions
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = 'mentions';
END;
CREATE TRIGGER generations_entity_added AFTER INSERT ON entities
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = 'entities';
END;
CREATE TRIGGER generations_entity_removed AFTER DELETE ON entities
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = 'entities';
END;
