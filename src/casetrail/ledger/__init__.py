"""casetrail.ledger."""
