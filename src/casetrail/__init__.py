"""casetrail: tamper-evident records, extraction and linkage for independent investigations.

Data flows down the packages: intake -> ledger -> extraction -> resolution -> linking ->
policy -> oversight, with `cli` (and later `web`) on top, `store` underneath and `model`
(pure types, no IO) at the bottom.
"""

__version__ = "0.1.0"
