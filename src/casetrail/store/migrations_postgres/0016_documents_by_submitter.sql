-- PostgreSQL's dialect of migrations/0016: documents by submitter, for a viewer's own uploads.
CREATE INDEX documents_submitted_by ON documents(submitted_by);
