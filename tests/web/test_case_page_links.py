"""The case page's linked cases: it shows as many as `PAGE_LINKS_SHOWN` says and counts the rest.

Everyone here is fictional.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casetrail.casework import Casework
from casetrail.store.home import Home
from casetrail.web import cases
from casetrail.web.app import create_app
from tests.web.world import analysed, documents_by_name, register_staff, sign_in, viewers

MORE = re.compile(r"and (\d+) more linked cases")


def cases_sharing_the_officer(home: Home, statements: tuple[str, ...]) -> tuple[TestClient, list[str]]:
    """A case per statement, each alleging against the officer they all name; a supervisor's client."""
    register = analysed(home, "links")
    cw = Casework(register)
    doc = documents_by_name(register)
    officer = next(e for e in cw.entity_view().all_entities().values() if e.type == "officer")
    staff = register_staff(cw, "lead")
    opened = []
    for number, name in enumerate(statements):
        case = cw.open_case(f"Complaint {number} about the officer", "lead")
        cw.add_document(case.id, doc[name], "lead")
        cw.add_subject(cw.add_allegation(case.id, "abuse_of_position_sexual", "lead").id, "lead", entity_id=officer.id)
        opened.append(case.id)
    clients = sign_in(create_app(home, secure_cookies=False), register, {"supervisor": viewers(staff)["supervisor"]})
    return clients["supervisor"], opened


def test_the_page_shows_the_links_its_constant_allows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, opened = cases_sharing_the_officer(
        Home(tmp_path / "home"), ("statement-ash", "statement-cass", "statement-dell")
    )
    count = client.get(f"/api/cases/{opened[0]}").json()["link_count"]
    assert count == 2, "the other two cases share the officer"

    page = client.get(f"/cases/{opened[0]}")
    assert page.status_code == 200 and not MORE.search(page.text)  # two links, 25 shown: none left over
    monkeypatch.setattr(cases, "PAGE_LINKS_SHOWN", 1)
    page = client.get(f"/cases/{opened[0]}")
    assert page.status_code == 200
    assert MORE.findall(page.text) == ["1"]
    assert len(re.findall(r'<tr><td><a href="/cases/', page.text)) == 1


def test_the_api_pages_through_the_links_strongest_first(tmp_path: Path) -> None:
    names = ("statement-ash", "statement-cass", "statement-dell", "statement-briar")
    client, opened = cases_sharing_the_officer(Home(tmp_path / "home"), names)
    whole = client.get(f"/api/cases/{opened[0]}", params={"links_limit": 100}).json()
    assert whole["link_count"] == 3 and len(whole["links"]) == 3 and whole["links_offset"] == 0
    pages = [
        client.get(f"/api/cases/{opened[0]}", params={"links_offset": i, "links_limit": 1}).json() for i in range(4)
    ]
    assert [p["links"] for p in pages[:3]] == [[link] for link in whole["links"]]  # the same order, one at a time
    assert pages[3]["links"] == [] and pages[3]["link_count"] == 3 and pages[3]["links_offset"] == 3
    for bad in ({"links_offset": -1}, {"links_limit": 101}, {"links_limit": "many"}):
        assert client.get(f"/api/cases/{opened[0]}", params=bad).status_code == 422
