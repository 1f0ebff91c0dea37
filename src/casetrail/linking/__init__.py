"""casetrail.linking."""
