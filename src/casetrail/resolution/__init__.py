"""casetrail.resolution: which mentions are the same person.

coreference: within one document (resolve_document, build_records, records_for_document).
linkage:     across documents, probabilistic with Splink, under investigators' decisions
             (link_records, resolve_links).
febrl:       the same linkage path on FEBRL-style records, for benchmarking.
evaluation:  pairwise and B-cubed scores against a known truth.
"""

from casetrail.resolution.coreference import (
    MentionCluster,
    build_records,
    records_for_document,
    resolve_document,
)
from casetrail.resolution.linkage import (
    EngineUnavailable,
    LinkResult,
    link_records,
    resolve_links,
)

__all__ = [
    "EngineUnavailable",
    "LinkResult",
    "MentionCluster",
    "build_records",
    "link_records",
    "records_for_document",
    "resolve_document",
    "resolve_links",
]
