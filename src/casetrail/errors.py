"""Every error casetrail raises on purpose, in one tree.

    CasetrailError
    ├── StoreError                 the store is missing, locked or of an unknown schema
    │   ├── SettingsError          config.json or a key file is missing, unreadable or malformed
    │   ├── SigningKeyError        no usable signing key: the store can be read and verified, not written
    │   ├── DiskFull               the disk holding the store is full; nothing in the batch was recorded
    │   ├── ReadOnlyStore          a write was asked of a store opened read-only
    │   ├── StoreLocked            an encrypted store opened without its key, or with the wrong one
    │   ├── KeyCustodyError        a key source cannot be used (key file in the home, malformed, ...)
    │   └── DuplicateContent       another writer recorded the same bytes first (a UNIQUE conflict)
    ├── LedgerError
    │   ├── ProofError             an inclusion or consistency proof does not verify
    │   ├── NoteError              a signed note or checkpoint is malformed or badly signed
    │   ├── ReceiptError           a receipt is malformed or does not verify
    │   └── RollbackError          the store is behind, or off, a checkpoint the log once signed
    ├── IntakeError                one input file cannot be recorded (the batch goes on)
    │   ├── UnsupportedFormat
    │   ├── TooLarge               over a configured size or page limit
    │   ├── Malformed              the bytes do not parse as the format they claim
    │   ├── Encrypted              password-protected or DRM'd content
    │   └── Hostile                zip bombs, absurd nesting and similar traps
    ├── ExtractionError            documents could not be read by the extractors (named, one line)
    ├── DecisionError              an investigator's decision cannot apply (unknown entity, ...)
    └── CaseworkError              a casework change cannot apply (unknown case, missing reason, ...)
        └── IndependenceError      a waiver or assignment the independence rules forbid

Catch `CasetrailError` at the CLI/web boundary; everything else is a bug.
"""


class CasetrailError(Exception):
    """Base of every deliberate casetrail error."""


class StoreError(CasetrailError):
    pass


class LedgerError(CasetrailError):
    pass


class ProofError(LedgerError):
    pass


class NoteError(LedgerError):
    pass


class ReceiptError(LedgerError):
    pass


class IntakeError(CasetrailError):
    """One file could not be taken in; `str(err)` is a one-line reason."""


class UnsupportedFormat(IntakeError):
    pass


class TooLarge(IntakeError):
    pass


class Malformed(IntakeError):
    pass


class Encrypted(IntakeError):
    pass


class Hostile(IntakeError):
    pass


class ExtractionError(CasetrailError):
    """Documents could not be read; `str(err)` is one line naming them."""


class DecisionError(CasetrailError):
    pass


class RedactionError(CasetrailError):
    """A redaction that cannot be made as asked (a span outside the text, a sealed document)."""


class CaseworkError(CasetrailError):
    pass


class IndependenceError(CaseworkError):
    pass


class SettingsError(StoreError):
    """One line naming the file, the field and the fix."""


class SigningKeyError(StoreError):
    pass


class DiskFull(StoreError):
    pass


class ReadOnlyStore(StoreError):
    pass


class DuplicateContent(StoreError):
    """Raised inside a write transaction; the caller rolls back and reports the input as a duplicate."""


class RollbackError(LedgerError):
    """A signed checkpoint proves the log once held more (or other) entries than this store does."""


class StoreLocked(StoreError):
    """An encrypted store was opened without its key, or with the wrong one: "store is locked: ..."."""


class KeyCustodyError(StoreError):
    """A key source cannot be used (a key file inside the home, unreadable, malformed; a rotation half done)."""
