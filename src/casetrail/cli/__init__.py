"""casetrail.cli."""
