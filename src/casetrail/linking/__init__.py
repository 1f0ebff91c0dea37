"""Linking: accounts, corroboration, cases linked through shared entities, unknown subjects compared.

Pure functions over `casetrail.model` types. Nothing here decides: every proposal is for a human to
confirm or reject, and those verdicts come back in as `Comparison`s.
"""
