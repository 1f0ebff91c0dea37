-- PostgreSQL's dialect of migrations/0005: counters that rise whenever what they name changes,
-- kept by triggers so that no write path can forget them. One function bumps the counters named
-- in its trigger's arguments.
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('documents', 0), ('mentions', 0), ('entities', 0);
CREATE FUNCTION bump_generations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE generations SET value = value + 1 WHERE name = ANY (TG_ARGV);
    RETURN NULL;
END;
$$;
CREATE TRIGGER generations_document_added AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION bump_generations('documents');
CREATE TRIGGER generations_document_changed AFTER UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION bump_generations('documents', 'mentions', 'entities');
CREATE TRIGGER generations_document_read AFTER INSERT ON extractions
    FOR EACH ROW EXECUTE FUNCTION bump_generations('mentions');
CREATE TRIGGER generations_entity_added AFTER INSERT ON entities
    FOR EACH ROW EXECUTE FUNCTION bump_generations('entities');
CREATE TRIGGER generations_entity_removed AFTER DELETE ON entities
    FOR EACH ROW EXECUTE FUNCTION bump_generations('entities');
