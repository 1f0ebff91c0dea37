"""Bench stores are encrypted, as real ones are (issue 12): a key file beside the home, never in it."""

from __future__ import annotations

from pathlib import Path

from casetrail.store.home import Home
from casetrail.store.keys import generate_key_file


def encrypted_home(root: Path) -> Home:
    return Home(root, key_source=generate_key_file(root.parent / f"{root.name}.kek"))


def plaintext_home(root: Path) -> Home:
    return Home(root, plaintext=True)
