-- PostgreSQL's dialect of migrations/0006. SQLite keeps an FTS5 index beside `documents`; here a
-- GIN index over the text's tsvector does the same work, and like the FTS5 external-content
-- index it holds no copy of the text: setting text to NULL (sealing) takes a document out of it
-- in the same statement. The 'simple' configuration neither stems nor drops stop words, as
-- unicode61 does not; unlike unicode61 with remove_diacritics it keeps accents (folding them
-- needs the unaccent extension, which an operator may not be allowed to create).
CREATE INDEX documents_search ON documents USING GIN (to_tsvector('simple', text)) WHERE text IS NOT NULL;
