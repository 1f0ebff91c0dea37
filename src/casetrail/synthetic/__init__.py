"""casetrail.synthetic."""
