"""casetrail.intake."""
