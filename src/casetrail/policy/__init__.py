"""casetrail.policy."""
