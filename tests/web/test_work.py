"""Casework writes over HTTP, in pages and the JSON API: who may do what, and what is recorded.

The expected answers are written out by hand below, not derived from the policy under test.
Everyone and everything here is fictional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casetrail.casework import Casework
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.verification import verify_store
from casetrail.model.casework import AssignmentRole, PartyRole
from casetrail.model.event import Event, EventType
from casetrail.store.home import Home
from tests.web.world import World as SignedIn
from tests.web.world import analysed, documents_by_name, every_viewer, register_staff, send, with_notes

VIEWERS = ("assigned", "unassigned", "subject", "supervisor", "overseer", "auditor", "admin", "intake", "anonymous")
NOTES = 16  # short call notes, so that each write below has a document of its own


class World(SignedIn):
    """The world, and who made each change it records."""

    def actor(self, event: Event) -> str:
        """Who made a change. A document event's actor is a salted commitment (the log names nobody),
        opened here from the encrypted store: the submitter it commits to, or the bare hash."""
        if event.body.get("v") != 2:
            return event.actor
        found = self.register.store.documents.get_document(event.subject)
        submitter = found[0].provenance.submitted_by if found else None
        committed = event.body["document"]["submitted_by"]
        return str(submitter) if event.actor == committed and submitter else event.actor


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("work")
    home = Home(root / "home")
    # rules only: quick, and enough here
    register = analysed(home, "work", with_notes(root, NOTES), ExtractionPipeline(spacy_model=None))
    cw = Casework(register)
    doc = documents_by_name(register)
    lead = "lead"
    staff = register_staff(cw, lead)
    c1 = cw.open_case("Complaints about an officer", lead)
    party = cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash")
    cw.add_documents(c1.id, [doc["statement-ash"], doc["statement-cass"]], lead)
    al1 = cw.add_allegation(c1.id, "abuse_of_position_sexual", lead)
    cw.add_subject(al1.id, lead, staff_id=staff.whitlock.id)  # Whitlock is the subject of c1: it is barred to him
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_documents(c2.id, [doc["statement-dell"], *(doc[f"note-{n:02d}"] for n in range(1, 11))], lead)
    al2 = cw.add_allegation(c2.id, "assault", lead)
    c3 = cw.open_case("Briar's account", lead)
    cw.add_documents(c3.id, [doc["statement-briar"], *(doc[f"note-{n:02d}"] for n in range(11, NOTES + 1))], lead)
    for case in (c2, c3):
        assert cw.assign(case.id, staff.pryce.id, AssignmentRole.INVESTIGATOR, lead).allowed
    clients, csrf = every_viewer(home, register, staff)
    ids = {
        "c1": c1.id,
        "c2": c2.id,
        "c3": c3.id,
        "al1": al1.id,
        "al2": al2.id,
        "party": party.id,
        "whitlock": staff.whitlock.id,
        "tait": staff.tait.id,
        "ash": doc["statement-ash"],
        "dell": doc["statement-dell"],
        **{f"n{n:02d}": doc[f"note-{n:02d}"] for n in range(1, NOTES + 1)},
    }
    return World(home, ids, clients, csrf)


# -- who may do what: every new write route × every viewer ------------------------------------------

# One write each: (method, url, the event it records, the form for each viewer). Where a write
# cannot be repeated (a document added, withdrawn or sealed once; a status set once), each viewer
# who may do it has a document or a status of their own; the others are refused before it matters.
Form = Callable[[World, str, dict[str, str]], dict[str, Any]]  # (world, viewer, what is theirs alone) -> the form

WRITES: dict[str, tuple[str, str, EventType, Form]] = {
    "open": (
        "POST",
        "{api}/cases",
        EventType.CASE_OPENED,
        lambda w, v, own: {
            "title": f"Opened from Dell's statement by {v}",
            "kind": "investigation",
            "document_ids": [w.ids["dell"]],
        },
    ),
    "documents": (
        "POST",
        "{api}/cases/{c2}/documents",
        EventType.CASE_DOCUMENT_ADDED,
        lambda w, v, own: {"document_ids": [w.ids[own.get(v, "n11")]]},
    ),
    "party": (
        "POST",
        "{api}/cases/{c2}/parties",
        EventType.CASE_PARTY_ADDED,
        lambda w, v, own: {"role": "witness", "pseudonym": f"Wren ({v})"},
    ),
    "allegation": (
        "POST",
        "{api}/cases/{c2}/allegations",
        EventType.ALLEGATION_RECORDED,
        lambda w, v, own: {
            "category": "assault",
            "summary": f"pushed down the stairs (told to {v})",
            "period_start": "2004",
            "place": "Abbey Lane",
        },
    ),
    "link": (
        "POST",
        "{api}/cases/{c2}/links",
        EventType.CASE_LINKED,
        lambda w, v, own: {"other": w.ids["c3"], "reason": "the same flat and the same car"},
    ),
    "status": (
        "POST",
        "{api}/allegations/{al2}/status",
        EventType.ALLEGATION_STATUS_CHANGED,
        lambda w, v, own: {"status": own.get(v, "withdrawn"), "reason": "three accounts agree"},
    ),
    "subject": (
        "POST",
        "{api}/allegations/{al2}/subjects",
        EventType.SUBJECT_ADDED,
        lambda w, v, own: {
            "kind": "unknown",
            "rank": "sergeant",
            "physical": "tall, shaved head, scar on the left cheek",
        },
    ),
    "withdraw": (
        "POST",
        "{api}/documents/{doc}/{withdraw}",
        EventType.DOCUMENT_WITHDRAWN,
        lambda w, v, own: {"reason": "the caller asked for it to be withdrawn"},
    ),
    "seal": (
        "POST",
        "{api}/documents/{doc}/seal",
        EventType.DOCUMENT_SEALED,
        lambda w, v, own: {"reason": "a court order", "order": "NM-2026-0041", "confirm": "yes"},
    ),
}

# Expected status, in VIEWERS order. Written by hand from the role table in policy/permissions.py:
# 404 when the viewer may not read the case or document, 403 when they may read it but not do this.
API_CODES: dict[str, tuple[int, ...]] = {
    #              assigned unassigned subject supervisor overseer auditor admin intake anonymous
    "open": (403, 403, 200, 200, 403, 403, 403, 403, 401),
    "documents": (200, 404, 200, 200, 403, 404, 404, 404, 401),
    "party": (200, 404, 200, 200, 403, 404, 404, 404, 401),
    "allegation": (200, 404, 200, 200, 403, 404, 404, 404, 401),
    "link": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "status": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "subject": (200, 404, 200, 200, 403, 404, 404, 404, 401),
    "amend": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "withdraw": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "seal": (403, 404, 200, 200, 403, 404, 404, 404, 401),
}
# The pages: a write that is done answers 303 to the page showing it; no session, 303 to the login page.
PAGE_CODES: dict[str, tuple[int, ...]] = {
    #              assigned unassigned subject supervisor overseer auditor admin intake anonymous
    "open": (403, 403, 303, 303, 403, 403, 403, 403, 303),
    "documents": (303, 404, 303, 303, 403, 404, 404, 404, 303),
    "party": (303, 404, 303, 303, 403, 404, 404, 404, 303),
    "allegation": (303, 404, 303, 303, 403, 404, 404, 404, 303),
    "link": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "status": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "subject": (303, 404, 303, 303, 403, 404, 404, 404, 303),
    "amend": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "withdraw": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "seal": (403, 404, 303, 303, 403, 404, 404, 404, 303),
}
# Each document or status used once, by whoever may: (API, page).
OWN = {
    "documents": (
        {"assigned": "n11", "subject": "n12", "supervisor": "n13"},
        {"assigned": "n14", "subject": "n15", "supervisor": "n16"},
    ),
    "withdraw": ({"subject": "n02", "supervisor": "n03"}, {"subject": "n04", "supervisor": "n05"}),
    "seal": ({"subject": "n06", "supervisor": "n07"}, {"subject": "n08", "supervisor": "n09"}),
    "status": (
        {"subject": "under_investigation", "supervisor": "case_to_answer"},
        {"subject": "referred", "supervisor": "upheld"},
    ),
}


def _request(
    world: World, name: str, viewer: str, page: bool
) -> tuple[str, str, dict[str, Any], dict[str, Any] | None]:
    own = OWN.get(name, ({}, {}))[1 if page else 0]
    if name == "amend":
        url = ("/documents/{n01}/amend" if page else "/api/documents/{n01}/amendments").format(**world.ids)
        note = f"Note 1, corrected: the caller rang twice ({viewer}, {'page' if page else 'api'}).\n".encode()
        return (
            "POST",
            url,
            {"reason": "the caller corrected the time"},
            {"file": ("note-01-corrected.txt", note, "text/plain")},
        )
    method, template, _, form = WRITES[name]
    doc = world.ids[own.get(viewer, next(iter(own.values()), "n01"))] if name in ("withdraw", "seal") else ""
    withdraw = "withdraw" if page else "withdrawal"
    url = template.format(api="" if page else "/api", doc=doc, withdraw=withdraw, **world.ids)
    return method, url, form(world, viewer, own), None


# what each write records; opening a case from documents is two kinds of event in one commit
RECORDS = {
    **{k: {v[2]} for k, v in WRITES.items()},
    "amend": {EventType.DOCUMENT_AMENDED},
    "open": {EventType.CASE_OPENED, EventType.CASE_DOCUMENT_ADDED},
}


@pytest.mark.parametrize("page", [False, True], ids=["api", "page"])
@pytest.mark.parametrize("name", list(API_CODES))
def test_every_write_for_every_viewer(world: World, name: str, page: bool) -> None:
    want = dict(zip(VIEWERS, (PAGE_CODES if page else API_CODES)[name]))
    got = {}
    for viewer in VIEWERS:
        method, url, form, files = _request(world, name, viewer, page)
        before = world.store_size()
        response = send(world, viewer, method, url, form, files, page=page)
        got[viewer] = response.status_code
        written = world.written_since(before)
        if response.status_code in (200, 303) and viewer != "anonymous":  # anonymous: a 303 to the login page
            # recorded as its ledger events, by the signed-in user, and nothing else
            assert {(e.type, world.actor(e)) for e in written} == {(t, viewer) for t in RECORDS[name]}, (
                name,
                viewer,
                written,
            )
        else:
            assert written == [], (name, viewer, response.status_code, written)
    assert got == want, name


# GETs that serve the forms (and the subject picker's search), in VIEWERS order
READS: dict[str, tuple[int, ...]] = {
    #                                          assigned unassigned subject supervisor overseer auditor admin intake anonymous
    "/cases/{c2}/work": (200, 404, 200, 200, 403, 404, 404, 404, 303),
    "/allegations/{al2}": (200, 404, 200, 200, 403, 404, 404, 404, 303),
    "/api/cases/{c2}/subject-choices?q=whitlock": (200, 404, 200, 200, 403, 404, 404, 404, 401),
    "/cases/{c1}/work": (404, 404, 404, 200, 403, 404, 404, 404, 303),
    "/allegations/{al1}": (404, 404, 404, 200, 403, 404, 404, 404, 303),
    "/allegations/AL-9999": (404, 404, 404, 404, 404, 404, 404, 404, 303),
}


@pytest.mark.parametrize("route", list(READS))
def test_the_forms_for_every_viewer(world: World, route: str) -> None:
    got = {v: world.clients[v].get(route.format(**world.ids), follow_redirects=False).status_code for v in VIEWERS}
    assert got == dict(zip(VIEWERS, READS[route])), route


def test_the_subject_picker_offers_only_readable_entities(world: World) -> None:
    found = send(world, "supervisor", "GET", f"/api/cases/{world.ids['c2']}/subject-choices", {"q": "whitlock"}).json()
    assert world.ids["whitlock"] in {s["id"] for s in found["staff"]}
    readable = {e["id"] for e in found["entities"]}
    for entity_id in readable:
        assert world.clients["supervisor"].get(f"/api/entities/{entity_id}").status_code == 200
    # the assigned investigator reads only c2 and c3: an entity only c1's documents name is no choice of theirs
    mine = send(world, "assigned", "GET", f"/api/cases/{world.ids['c2']}/subject-choices", {"q": "ash"}).json()
    for e in mine["entities"]:
        assert world.clients["assigned"].get(f"/api/entities/{e['id']}").status_code == 200, e


# -- CSRF, staleness, fields -------------------------------------------------------------------------


def test_a_write_without_its_csrf_token_is_refused_and_records_nothing(world: World) -> None:
    client = world.clients["supervisor"]
    before = world.store_size()
    party = {"role": "witness", "pseudonym": "Sedge"}
    assert client.post(f"/api/cases/{world.ids['c2']}/parties", data=party).status_code == 403
    assert client.post(f"/cases/{world.ids['c2']}/parties", data={**party, "csrf_token": "forged"}).status_code == 403
    assert (
        client.post(
            f"/api/cases/{world.ids['c2']}/parties", data=party, headers={"x-csrf-token": world.csrf["subject"]}
        ).status_code
        == 403
    )  # another user's token
    assert world.store_size() == before


def test_a_change_from_a_stale_page_is_refused_and_records_nothing(world: World) -> None:
    supervisor = world.clients["supervisor"]
    version = supervisor.get(f"/api/cases/{world.ids['c2']}").json()["version"]
    # someone else changes the case after the page was opened ...
    moved = send(
        world, "subject", "POST", f"/api/cases/{world.ids['c2']}/parties", {"role": "witness", "version": version}
    )
    assert moved.status_code == 200 and moved.json()["case"]["version"] > version
    # ... so a change sent from that page is refused, in the API and in the page, and nothing is recorded
    for page in (False, True):
        before = world.store_size()
        url = f"{'' if page else '/api'}/allegations/{world.ids['al2']}/subjects"
        stale = send(
            world, "supervisor", "POST", url, {"kind": "unknown", "rank": "inspector", "version": version}, page=page
        )
        assert stale.status_code == 409 and "changed since you opened it; reload" in stale.text
        assert world.store_size() == before
    fresh = moved.json()["case"]["version"]
    ok = send(
        world,
        "supervisor",
        "POST",
        f"/api/allegations/{world.ids['al2']}/subjects",
        {"kind": "unknown", "rank": "inspector", "version": fresh},
    )
    assert ok.status_code == 200


# (route, form, the field named) for a field the command cannot take
FIELD_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("/api/cases", {"title": " ", "document_ids": ["{dell}"]}, "title"),
    ("/api/cases", {"title": "x", "kind": "inquest", "document_ids": ["{dell}"]}, "kind"),
    ("/api/cases", {"title": "x", "document_ids": ["{dell}", "{ash}"]}, "document_ids"),  # subject may not read ash
    ("/api/cases", {"title": "x", "document_ids": ["D-999999"]}, "document_ids"),
    ("/api/cases/{c2}/documents", {"document_ids": []}, "document_ids"),
    ("/api/cases/{c2}/documents", {"document_ids": ["{dell}"]}, "document_ids"),  # in the case already
    ("/api/cases/{c2}/documents", {"document_ids": ["{n11}"], "given_by": "{party}"}, "given_by"),  # c1's party
    ("/api/cases/{c2}/parties", {"role": "bystander"}, "role"),
    ("/api/cases/{c2}/parties", {"role": "witness", "staff_id": "S-9999"}, "staff_id"),
    ("/api/cases/{c2}/allegations", {"category": "treason"}, "category"),
    ("/api/cases/{c2}/allegations", {"category": "assault", "period_start": "the nineties"}, "period_start"),
    ("/api/cases/{c2}/links", {"other": "{c1}", "reason": "the same officer"}, "other"),  # subject may not read c1
    ("/api/cases/{c2}/links", {"other": "{c2}", "reason": "itself"}, "other"),
    ("/api/cases/{c2}/links", {"other": "{c3}", "reason": " "}, "reason"),
    ("/api/allegations/{al2}/status", {"status": "upheld", "reason": ""}, "reason"),
    ("/api/allegations/{al2}/status", {"status": "lost", "reason": "why not"}, "status"),
    ("/api/allegations/{al2}/subjects", {"kind": ""}, "kind"),
    ("/api/allegations/{al2}/subjects", {"kind": "unknown"}, "description"),
    ("/api/allegations/{al2}/subjects", {"kind": "staff", "staff_id": "S-9999"}, "staff_id"),
    ("/api/allegations/{al2}/subjects", {"kind": "entity", "entity_id": "E-0000000000"}, "entity_id"),
    ("/api/documents/{n10}/withdrawal", {"reason": " "}, "reason"),
    ("/api/documents/{n10}/seal", {"reason": "a court order", "order": ""}, "order"),
    ("/api/documents/{n10}/seal", {"reason": "", "order": "NM-2026-0042"}, "reason"),
]


@pytest.mark.parametrize(("route", "form", "field"), FIELD_ERRORS, ids=[f"{r} {f}" for r, _, f in FIELD_ERRORS])
def test_a_field_error_is_422_names_the_field_and_records_nothing(
    world: World, route: str, form: dict[str, Any], field: str
) -> None:
    filled = {
        k: ([x.format(**world.ids) for x in v] if isinstance(v, list) else v.format(**world.ids))
        for k, v in form.items()
    }
    before = world.store_size()
    response = send(world, "subject", "POST", route.format(**world.ids), filled)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and response.json()["detail"]
    assert world.store_size() == before  # not even a read audit: nothing was shown


def test_a_page_shows_the_error_beside_its_field_and_records_nothing(world: World) -> None:
    before = world.store_size()
    page = send(
        world,
        "supervisor",
        "POST",
        f"/cases/{world.ids['c2']}/allegations",
        {"category": "assault", "period_start": "the nineties", "summary": "<b>kept as typed</b>"},
        page=True,
    )
    assert page.status_code == 422
    assert 'id="allegation-period_start" name="period_start" value="the nineties" aria-invalid="true"' in page.text
    assert 'id="allegation-period_start-error" role="alert">a year or an ISO date' in page.text
    assert "&lt;b&gt;kept as typed&lt;/b&gt;" in page.text and "<b>kept" not in page.text
    assert world.written_since(before) == []  # the page read the case again (audited), and changed nothing
    sealed = send(
        world,
        "supervisor",
        "POST",
        f"/documents/{world.ids['n10']}/seal",
        {"reason": "a court order", "order": "NM-2026-0043"},
        page=True,
    )
    assert sealed.status_code == 422 and 'id="seal-confirm-error"' in sealed.text  # the page asks for the box
    opened = send(world, "supervisor", "POST", "/cases", {"title": "", "document_ids": [world.ids["dell"]]}, page=True)
    assert opened.status_code == 422 and 'id="open-title-error"' in opened.text and world.ids["dell"] in opened.text
    assert world.written_since(before) == []


def test_opening_a_case_with_documents_is_one_commit(world: World) -> None:
    """If adding its documents fails, the case is not opened either (nothing half-done)."""
    cw = Casework(Register.open(world.home))
    before, cases = world.store_size(), len(cw.book().cases)
    with pytest.raises(Exception, match="listed twice"):
        cw.open_case_with("Half a case", "lead", [world.ids["dell"], world.ids["dell"]])
    with pytest.raises(Exception, match="no document"):
        cw.open_case_with("Half a case", "lead", [world.ids["dell"], "D-999999"])
    assert world.store_size() == before and len(Casework(Register.open(world.home)).book().cases) == cases
    made = cw.open_case_with("A whole case", "lead", [world.ids["dell"], world.ids["n01"]])
    assert list(made.documents) == [world.ids["dell"], world.ids["n01"]]


# -- what the pages and the API show afterwards ------------------------------------------------------


def test_the_inbox_and_search_open_a_case_from_ticked_documents(world: World) -> None:
    inbox = world.clients["supervisor"].get("/")
    assert 'form="open-case"' in inbox.text and 'id="open-case"' in inbox.text
    found = world.clients["supervisor"].get("/search", params={"q": "abbey"})
    assert 'form="open-case"' in found.text
    assert 'id="open-case"' not in world.clients["assigned"].get("/").text  # an investigator opens no case
    made = send(
        world,
        "supervisor",
        "POST",
        "/cases",
        {
            "title": "The blue Mondeo",
            "reference": "IOPC 2026/0173",
            "document_ids": [world.ids["dell"], world.ids["n11"]],
        },
        page=True,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/cases/C-")
    case = world.clients["supervisor"].get("/api" + made.headers["location"]).json()
    assert case["title"] == "The blue Mondeo" and case["reference"] == "IOPC 2026/0173"
    assert [d["id"] for d in case["documents"]] == [world.ids["dell"], world.ids["n11"]]
    assert [(h["actor"]) for h in case["history"]][:3] == ["supervisor"] * 3


def test_the_api_answers_the_viewers_case_view(world: World) -> None:
    made = send(
        world,
        "supervisor",
        "POST",
        f"/api/cases/{world.ids['c2']}/parties",
        {"role": "complainant", "pseudonym": "Teasel"},
    )
    answer = made.json()
    assert answer["party"].startswith("P-") and answer["case"]["id"] == world.ids["c2"]
    assert {"pseudonym": "Teasel", "role": "complainant", "id": answer["party"]} in answer["case"]["parties"]
    assert "body" not in made.text  # the view's fields, never an event body
    # the identity role may tie a party to an entity it can read; the case view still shows only the pseudonym
    entity = send(world, "supervisor", "GET", f"/api/cases/{world.ids['c2']}/subject-choices", {"q": "abbey"}).json()
    if entity["entities"]:
        tied = send(
            world,
            "supervisor",
            "POST",
            f"/api/cases/{world.ids['c2']}/parties",
            {"role": "witness", "pseudonym": "Yarrow", "entity_id": entity["entities"][0]["id"]},
        )
        assert tied.status_code == 200 and entity["entities"][0]["name"] not in str(tied.json()["case"]["parties"])


def test_the_case_page_leads_to_the_forms_and_a_subject_is_picked(world: World) -> None:
    page = world.clients["supervisor"].get(f"/cases/{world.ids['c2']}")
    assert (
        f'href="/cases/{world.ids["c2"]}/work"' in page.text and f'href="/allegations/{world.ids["al2"]}"' in page.text
    )
    overseer = world.clients["overseer"].get(f"/cases/{world.ids['c2']}").text
    assert f'href="/cases/{world.ids["c2"]}/work"' not in overseer  # the overseer changes none of it
    work = world.clients["assigned"].get(f"/cases/{world.ids['c2']}/work")
    assert 'action="/cases/{}/parties"'.format(world.ids["c2"]) in work.text
    assert 'action="/cases/{}/links"'.format(world.ids["c2"]) not in work.text  # linking is the supervisor's
    picker = world.clients["supervisor"].get(f"/allegations/{world.ids['al2']}", params={"q": "whitlock"})
    assert picker.status_code == 200 and f'value="{world.ids["whitlock"]}"' in picker.text
    named = send(
        world,
        "supervisor",
        "POST",
        f"/allegations/{world.ids['al2']}/subjects",
        {"kind": "staff", "staff_id": world.ids["whitlock"]},
        page=True,
    )
    assert named.status_code == 303
    case = world.clients["supervisor"].get(f"/api/cases/{world.ids['c2']}").json()
    subjects = next(a for a in case["allegations"] if a["id"] == world.ids["al2"])["subjects"]
    assert any(s["staff_id"] == world.ids["whitlock"] for s in subjects)
    # and the rules follow at once: the subject may no longer read the case that now names him
    assert world.clients["subject"].get(f"/api/cases/{world.ids['c2']}").status_code == 404


def test_a_documents_life_round_trip_keeps_the_store_verifiable(world: World) -> None:
    supervisor, doc = world.clients["supervisor"], world.ids["n10"]
    page = supervisor.get(f"/documents/{doc}")
    for action in ("amend", "withdraw", "seal"):
        assert f'action="/documents/{doc}/{action}"' in page.text
    assert f'action="/documents/{doc}/seal"' not in world.clients["assigned"].get(f"/documents/{doc}").text
    before = world.store_size()
    amended = send(
        world,
        "supervisor",
        "POST",
        f"/api/documents/{doc}/amendments",
        {"reason": "a corrected time"},
        files={"file": ("note-10-v2.txt", b"Note 10, corrected: the call came at 21:40.\n", "text/plain")},
    )
    assert amended.status_code == 200 and amended.json()["amendment"].startswith("D-")
    again = send(
        world,
        "supervisor",
        "POST",
        f"/api/documents/{doc}/amendments",
        {"reason": "once more"},
        files={"file": ("same.txt", b"Note 10, corrected: the call came at 21:40.\n", "text/plain")},
    )
    assert again.status_code == 422 and again.json()["field"] == "file"
    withdrawn = send(world, "supervisor", "POST", f"/api/documents/{doc}/withdrawal", {"reason": "the caller withdrew"})
    assert withdrawn.json()["document"]["status"] == "withdrawn"
    sealed = send(
        world, "supervisor", "POST", f"/api/documents/{doc}/seal", {"reason": "a court order", "order": "NM-2026-0044"}
    )
    assert sealed.status_code == 200 and sealed.json()["document"]["status"] == "sealed"
    assert sealed.json()["document"]["text"] is None
    twice = send(
        world, "supervisor", "POST", f"/api/documents/{doc}/seal", {"reason": "again", "order": "NM-2026-0044"}
    )
    assert twice.status_code == 422
    events = world.written_since(before)
    assert [(e.type, world.actor(e)) for e in events] == [
        (EventType.DOCUMENT_AMENDED, "supervisor"),
        (EventType.DOCUMENT_WITHDRAWN, "supervisor"),
        (EventType.DOCUMENT_SEALED, "supervisor"),
    ]
    assert events[0].body["reason"] != "a corrected time"  # committed, not in clear
    assert events[2].body["order"] == "NM-2026-0044"
    register = Register.open(world.home)
    assert verify_store(register.store, register.objects, NoteVerifier.from_text(world.home.verifier_key())).ok
