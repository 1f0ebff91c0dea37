"""casetrail.oversight."""
