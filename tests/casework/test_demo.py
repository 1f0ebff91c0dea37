"""The main job: the demo builds casework on a fictional inquiry, under the rules, and verifies."""

from __future__ import annotations

import json

from tests.conftest import CliRun


def test_demo_builds_casework_that_verifies(cli: CliRun) -> None:
    result = cli("demo", "--statements", "60", "--seed", "2")
    assert "verification" in result.stdout and "OK" in result.stdout
    cases = json.loads(cli("case", "list", "--format", "json").stdout)
    assert cases and all(c["documents"] == 1 and c["allegations"] == 1 for c in cases)
    shown = json.loads(cli("case", "show", cases[0]["id"], "--format", "json").stdout)
    assert shown["parties"][0]["role"] == "complainant" and shown["history"]
    # nobody the rules refuse was assigned: every assignment's staff passes the picker
    for case in cases:
        view = json.loads(cli("case", "show", case["id"], "--format", "json").stdout)
        assert all(not a["conflicts_now"] for a in view["assignments"])
    again = cli("demo", "--statements", "60", "--seed", "2")  # re-runnable: nothing duplicated
    assert json.loads(cli("case", "list", "--format", "json").stdout) == cases
    assert "OK" in again.stdout
