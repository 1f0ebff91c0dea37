-- Search folds accents, as SQLite's FTS5 index does (unicode61 remove_diacritics): "Zoe" finds
-- "Zoë", "Sinead" finds "Sinéad". Without the unaccent extension, which an operator may not be
-- allowed to create: an IMMUTABLE function decomposes the text (NFD, which needs the database's
-- UTF8 encoding) and drops the combining marks, and the GIN index is rebuilt over the folded
-- text. (A translate() over a table of accented letters was measured 25 times slower.) It still
-- holds no copy of the text: sealing's NULL takes a document out of it.
CREATE FUNCTION casetrail_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT regexp_replace(normalize($1, NFD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g') $$;
DROP INDEX documents_search;
CREATE INDEX documents_search ON documents USING GIN (to_tsvector('simple', casetrail_fold(text))) WHERE text IS NOT NULL;
