-- A viewer's list of documents is read by what could pass the access check: their reach (by id)
-- and their own uploads (by submitter), never the whole table (casework.reads.readable_documents).
CREATE INDEX documents_submitted_by ON documents(submitted_by);
