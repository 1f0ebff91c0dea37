"""casetrail.extraction."""
