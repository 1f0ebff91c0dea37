"""casetrail.extraction: document text -> mentions (who and what each account names).

`ExtractionPipeline().extract_many([(document_id, text), ...])` runs every extractor and returns
all mentions (the store keeps them all); `select(mentions)` picks the non-overlapping best set that
resolution works on. Each extractor meets the `Extractor` protocol and stamps its mentions
"name@version"; an `AfterExtractor` (DocumentNameExtractor) also reads the others' mentions of the
same document, after them.
"""

from casetrail.extraction.dates import DateExtractor
from casetrail.extraction.descriptors import DescriptorExtractor
from casetrail.extraction.document_names import DocumentNameExtractor
from casetrail.extraction.extractor import (
    AfterExtractor,
    BatchExtractor,
    Extractor,
    build_mention,
    extractor_id,
)
from casetrail.extraction.organisations import OrganisationExtractor
from casetrail.extraction.persons import PersonExtractor
from casetrail.extraction.phones import PhoneExtractor, PostcodeExtractor
from casetrail.extraction.pipeline import (
    PIPELINE_VERSION,
    STATISTICAL,
    ExtractionPipeline,
    rule_extractors,
    select,
)
from casetrail.extraction.places import PlaceExtractor
from casetrail.extraction.police import PoliceExtractor
from casetrail.extraction.pseudonyms import PseudonymExtractor
from casetrail.extraction.spacy_ner import DEFAULT_MODEL, SpacyNerExtractor
from casetrail.extraction.vehicles import VehicleExtractor

__all__ = [
    "AfterExtractor",
    "BatchExtractor",
    "DEFAULT_MODEL",
    "DateExtractor",
    "DescriptorExtractor",
    "DocumentNameExtractor",
    "ExtractionPipeline",
    "Extractor",
    "OrganisationExtractor",
    "PIPELINE_VERSION",
    "PersonExtractor",
    "PhoneExtractor",
    "PlaceExtractor",
    "PoliceExtractor",
    "PostcodeExtractor",
    "PseudonymExtractor",
    "STATISTICAL",
    "SpacyNerExtractor",
    "VehicleExtractor",
    "build_mention",
    "extractor_id",
    "rule_extractors",
    "select",
]
