"""casetrail.resolution."""
