"""Issue 11, item 3: broken settings and key files give one line naming the file, the field and
the fix, never a traceback; `verify` still verifies the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES
from tests.faults.conftest import cli, one_line_error, write_statements

BROKEN = {
    "garbage": ("{origin: casetrail", "not valid JSON"),
    "empty": ("", "is empty"),
    "words for a number": (
        '{"origin": "casetrail.test/faults", "limits": {"max_bytes": "lots"}}',
        '"limits.max_bytes"',
    ),
    "zero": ('{"origin": "casetrail.test/faults", "limits": {"max_pages": 0}}', '"limits.max_pages"'),
    "unknown limit": ('{"origin": "casetrail.test/faults", "limits": {"max_byte": 10}}', '"limits.max_byte"'),
    "limits not an object": ('{"limits": 5}', '"limits"'),
    "a list": ("[1, 2]", "must hold a JSON object"),
    "threshold as text": ('{"repeat_subject_threshold": "three"}', '"repeat_subject_threshold"'),
    "model as a number": ('{"spacy_model": 3}', '"spacy_model"'),
}


@pytest.fixture
def filled(home: Path, tmp_path: Path) -> Path:
    write_statements(tmp_path / "in", 2, "settings")
    assert cli(home, "ingest", tmp_path / "in").returncode == 0
    write_statements(tmp_path / "more", 1, "settings, later")
    return home


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_config_is_one_line_and_verify_still_works(filled: Path, tmp_path: Path, case: str) -> None:
    text, named = BROKEN[case]
    config = filled / "config.json"
    config.write_text(text)
    for args in (("ingest", tmp_path / "more"), ("documents",), ("ingest", tmp_path / "more", "--max-bytes", "99")):
        line = one_line_error(cli(filled, *args))
        assert str(config) in line and named in line, line
        assert "restore" in line or "correct" in line, line  # the fix
    checked = cli(filled, "verify")
    assert checked.returncode == 0 and checked.stdout.startswith("OK: 2 log entries"), checked.stdout + checked.stderr
    assert "note:" in checked.stderr and str(config) in checked.stderr


def test_a_missing_config_names_the_line_to_write(filled: Path, tmp_path: Path) -> None:
    (filled / "config.json").unlink()
    line = one_line_error(cli(filled, "ingest", tmp_path / "more"))
    assert "config.json is missing" in line and '"origin": "casetrail.test/faults"' in line
    if not ON_POSTGRES:  # there config.json is what names the store's database: the home is not whole without it
        assert cli(filled, "verify").returncode == 0


def test_a_missing_verifier_key(filled: Path, tmp_path: Path) -> None:
    (filled / "keys" / "log.vkey").unlink()
    line = one_line_error(cli(filled, "verify"))
    assert "log.vkey is missing" in line and "log key >" in line and "--key" in line
    assert cli(filled, "ingest", tmp_path / "more").returncode == 0  # the signing key carries the public key


def test_a_damaged_verifier_key(filled: Path) -> None:
    (filled / "keys" / "log.vkey").write_text("casetrail.test/faults+0000+AAAA\n")
    line = one_line_error(cli(filled, "verify"))
    assert "log.vkey" in line and "not a verifier key" in line
    line = one_line_error(cli(filled, "documents"))
    assert "log.vkey is damaged" in line


def test_a_bad_key_on_the_command_line(filled: Path, tmp_path: Path) -> None:
    line = one_line_error(cli(filled, "verify", "--key", "nonsense"))
    assert "not a verifier key" in line
