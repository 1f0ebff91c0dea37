-- PostgreSQL's dialect of migrations/0019: the detail counts kept with the accounts model.
CREATE TABLE account_common_details (
    detail_kind TEXT NOT NULL,
    detail_key  TEXT NOT NULL,
    low         BIGINT NOT NULL,
    high        BIGINT NOT NULL,
    PRIMARY KEY (detail_kind, detail_key)
);
