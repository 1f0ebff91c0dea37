"""Tests of the ledger: Merkle hashing and proofs, signed checkpoints, receipts."""
