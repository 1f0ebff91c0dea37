-- Kept with the accounts model: how many accounts hold each detail that is, or might become,
-- common to most of them (casetrail.linking.accounts.CommonCounts), between a low and a high count.
-- With them a human's "the same" joins two kept accounts in place, unless a detail's commonness
-- might change, which only a new build can tell. The number of accounts and the bound under which
-- every other detail's count lies are kept in read_models, under "account_counts".
CREATE TABLE account_common_details (
    detail_kind TEXT NOT NULL,
    detail_key  TEXT NOT NULL,
    low         INTEGER NOT NULL,
    high        INTEGER NOT NULL,
    PRIMARY KEY (detail_kind, detail_key)
);
-- Who gave each document in a case, as the accounts model was built from it: a document given by a
-- party that gave another joins their accounts in place; a party changed or gone needs a build.
CREATE TABLE account_given (
    document_id TEXT PRIMARY KEY,
    party       TEXT NOT NULL
);
