"""Disclosure schedules and redaction in the workbench and the API: who may do what, what is
recorded, and one fictional case taken to schedules, a redacted copy and a signed bundle.

The expected answers are written out by hand below, not derived from the policy under test.
Everyone and everything here is fictional.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from casetrail.casefile import verify_case_file
from casetrail.casework import Casework
from casetrail.casework.disclosure import schedule_item
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.model.casework import AssignmentRole, PartyRole
from casetrail.model.disclosure import Schedule
from casetrail.model.event import EventType
from casetrail.store.home import Home
from tests.web.world import World, analysed, documents_by_name, every_viewer, register_staff, send, with_notes

VIEWERS = ("assigned", "unassigned", "subject", "supervisor", "overseer", "auditor", "admin", "intake", "anonymous")
NOTES = 4


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("disclosure")
    home = Home(root / "home")
    # rules only: quick, and enough here
    register = analysed(home, "disclosure", with_notes(root, NOTES), ExtractionPipeline(spacy_model=None))
    cw = Casework(register)
    doc = documents_by_name(register)
    lead = "lead"
    staff = register_staff(cw, lead)
    c1 = cw.open_case("Complaints about an officer", lead)
    cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash")
    cw.add_documents(c1.id, [doc["statement-ash"], doc["statement-cass"]], lead)
    al1 = cw.add_allegation(c1.id, "abuse_of_position_sexual", lead)
    cw.add_subject(al1.id, lead, staff_id=staff.whitlock.id)  # Whitlock is the subject of c1: it is barred to him
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_documents(
        c2.id,
        [doc["statement-briar"], doc["statement-dell"], *(doc[f"note-{n:02d}"] for n in range(1, NOTES + 1))],
        lead,
    )
    assert cw.assign(c2.id, staff.pryce.id, AssignmentRole.INVESTIGATOR, lead).allowed
    item = schedule_item(cw, c2.id, doc["note-01"], Schedule.NON_SENSITIVE, "Call note about the flat", lead)
    clients, csrf = every_viewer(home, register, staff)
    ids = {
        "c1": c1.id,
        "c2": c2.id,
        "item": item.id,
        "ash": doc["statement-ash"],
        "dell": doc["statement-dell"],
        "briar": doc["statement-briar"],
        **{f"n{n:02d}": doc[f"note-{n:02d}"] for n in range(1, NOTES + 1)},
    }
    return World(home, ids, clients, csrf)


# -- who may do what: every new route × every viewer ------------------------------------------------

# (method, url, form for a viewer, what a done write records). Schedules change one item (a new
# revision each time, so each viewer's description differs); a redaction takes spans of its own
# per viewer and per surface, since the same redacted bytes twice are refused as already on record.
ROUTES: dict[str, tuple[str, str, Any, set[EventType]]] = {
    "schedules": ("GET", "{api}/cases/{c2}/disclosure", lambda v, n: None, set()),
    "schedule": (
        "POST",
        "{api}/cases/{c2}/disclosure/items",
        lambda v, n: {
            "document_id": "{n02}",
            "schedule": "non_sensitive",
            "description": f"Call note about the flat, described by {v} ({n})",
        },
        {EventType.DISCLOSURE_ITEM_SCHEDULED},
    ),
    "judge": (
        "POST",
        "{api}/cases/{c2}/disclosure/{item}/judgement",
        lambda v, n: {"meets_test": "no", "reason": f"it repeats the complainant's account ({v})"},
        {EventType.DISCLOSURE_JUDGED},
    ),
    "export": ("POST", "{api}/cases/{c2}/disclosure/export", lambda v, n: {"reason": "for the CPS lawyer"}, set()),
    "suggestions": ("GET", "{api}/documents/{n03}/redaction", lambda v, n: None, set()),
    "redact": (
        "POST",
        "{api}/documents/{n03}/redaction",
        lambda v, n: {"spans": [f"{n}:{n + 4}"], "reason": "the call reference identifies the caller"},
        {EventType.DOCUMENT_AMENDED, EventType.DOCUMENT_REDACTED},
    ),
}
#                  assigned unassigned subject supervisor overseer auditor admin intake anonymous
API_CODES: dict[str, tuple[int, ...]] = {
    "schedules": (200, 404, 200, 200, 200, 404, 404, 404, 401),
    "schedule": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "judge": (403, 404, 200, 200, 403, 404, 404, 404, 401),
    "export": (200, 404, 200, 200, 200, 404, 404, 404, 401),
    "suggestions": (200, 404, 200, 200, 200, 404, 404, 404, 401),
    "redact": (403, 404, 200, 200, 403, 404, 404, 404, 401),
}
# Pages: a write that is done answers 303 to the page showing it; the export answers the zip; no session, 303.
PAGE_CODES: dict[str, tuple[int, ...]] = {
    "schedules": (200, 404, 200, 200, 200, 404, 404, 404, 303),
    "schedule": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "judge": (403, 404, 303, 303, 403, 404, 404, 404, 303),
    "export": (200, 404, 200, 200, 200, 404, 404, 404, 303),
    "suggestions": (200, 404, 200, 200, 200, 404, 404, 404, 303),
    "redact": (403, 404, 303, 303, 403, 404, 404, 404, 303),
}
# Each viewer's own span start (API, page) in note 3: "Note 3: a caller rang ..."
SPAN_STARTS = ({"subject": 0, "supervisor": 8}, {"subject": 10, "supervisor": 17})


@pytest.mark.parametrize("page", [False, True], ids=["api", "page"])
@pytest.mark.parametrize("name", list(API_CODES))
def test_every_route_for_every_viewer(world: World, name: str, page: bool) -> None:
    method, template, form, records = ROUTES[name]
    want = dict(zip(VIEWERS, (PAGE_CODES if page else API_CODES)[name]))
    got = {}
    for viewer in VIEWERS:
        url = template.format(api="" if page else "/api", **world.ids)
        given = form(viewer, SPAN_STARTS[page].get(viewer, 25))
        if given:
            given = {k: v.format(**world.ids) if isinstance(v, str) else v for k, v in given.items()}
        before = world.store_size()
        response = send(world, viewer, method, url, given, page=page)
        got[viewer] = response.status_code
        written = world.written_since(before)
        if response.status_code in (200, 303) and viewer != "anonymous":
            assert {e.type for e in written} == records, (name, viewer, written)
            # by the signed-in user; the amended leaf holds its submitter only as a salted commitment
            assert {e.actor for e in written if e.type is not EventType.DOCUMENT_AMENDED} <= {viewer}, written
            if not (page and method == "POST" and response.status_code == 303):
                # every response that showed content left exactly one read audit
                audits = world.audited_since(before)
                assert len(audits) == (0 if name == "redact" else 1), (name, viewer, audits)  # redact: an id
        else:
            assert written == [], (name, viewer, response.status_code, written)
    assert got == want, name


def test_a_write_without_its_csrf_token_is_refused_and_records_nothing(world: World) -> None:
    client = world.clients["supervisor"]
    for url, form in (
        (f"/api/cases/{world.ids['c2']}/disclosure/items", {"document_id": world.ids["n04"], "schedule": "mg6c"}),
        (f"/cases/{world.ids['c2']}/disclosure/{world.ids['item']}/judgement", {"meets_test": "yes", "reason": "r"}),
        (f"/api/documents/{world.ids['n04']}/redaction", {"spans": ["0:4"], "reason": "r"}),
        (f"/cases/{world.ids['c2']}/disclosure/export", {"reason": "r"}),
    ):
        before = world.store_size()
        assert client.post(url, data={**form, "description": "x"}, follow_redirects=False).status_code == 403
        assert client.post(url, data=form, headers={"x-csrf-token": "wrong"}).status_code == 403
        assert world.store_size() == before, url


@pytest.mark.parametrize(
    ("url", "form", "field"),
    [
        ("/api/cases/{c2}/disclosure/items", {"document_id": "{n04}", "schedule": "mg6c"}, "description"),
        (
            "/api/cases/{c2}/disclosure/items",
            {"document_id": "{n04}", "schedule": "mg6x", "description": "d"},
            "schedule",
        ),
        (
            "/api/cases/{c2}/disclosure/items",
            {"document_id": "{ash}", "schedule": "mg6c", "description": "d"},
            "document_id",
        ),
        (
            "/api/cases/{c2}/disclosure/items",
            {"document_id": "{n04}", "schedule": "mg6d", "description": "d"},
            "sensitivity_reason",
        ),
        ("/api/cases/{c2}/disclosure/{item}/judgement", {"meets_test": "perhaps", "reason": "r"}, "meets_test"),
        ("/api/cases/{c2}/disclosure/{item}/judgement", {"meets_test": "yes"}, "reason"),
        ("/api/cases/{c2}/disclosure/export", {}, "reason"),
        ("/api/documents/{n04}/redaction", {"spans": ["0:4"]}, "reason"),
        ("/api/documents/{n04}/redaction", {"reason": "r"}, "spans"),
        ("/api/documents/{n04}/redaction", {"spans": ["0:99999"], "reason": "r"}, "spans"),
        ("/api/documents/{n04}/redaction", {"spans": ["four"], "reason": "r"}, "spans"),
    ],
)
def test_a_field_error_is_422_naming_the_field_and_the_ledger_is_unchanged(
    world: World, url: str, form: dict[str, Any], field: str
) -> None:
    given = {k: v.format(**world.ids) if isinstance(v, str) else v for k, v in form.items()}
    before = world.store_size()
    response = send(world, "supervisor", "POST", url.format(**world.ids), given)
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["detail"]
    assert world.written_since(before) == []


def test_the_pages_show_a_field_error_beside_its_field(world: World) -> None:
    before = world.store_size()
    url = f"/cases/{world.ids['c2']}/disclosure/items"
    response = send(world, "supervisor", "POST", url, {"document_id": world.ids["n04"], "schedule": "mg6c"}, page=True)
    assert response.status_code == 422
    assert 'id="schedule-description-error"' in response.text and 'aria-invalid="true"' in response.text
    response = send(
        world, "supervisor", "POST", f"/documents/{world.ids['n04']}/redaction", {"spans": ["0:4"]}, page=True
    )
    assert response.status_code == 422 and 'id="redact-reason-error"' in response.text
    assert world.written_since(before) == []


def test_a_schedule_form_from_an_older_page_is_refused(world: World) -> None:
    before = world.store_size()
    form = {"document_id": world.ids["n04"], "schedule": "mg6c", "description": "d", "version": "1"}
    assert send(world, "supervisor", "POST", f"/api/cases/{world.ids['c2']}/disclosure/items", form).status_code == 409
    assert world.written_since(before) == []


def test_the_pages_are_linked_and_labelled(world: World) -> None:
    client = world.clients["supervisor"]
    case = client.get(f"/cases/{world.ids['c2']}").text
    assert f'href="/cases/{world.ids["c2"]}/disclosure"' in case
    document = client.get(f"/documents/{world.ids['n04']}").text
    assert f'href="/documents/{world.ids["n04"]}/redaction"' in document
    for url in (f"/cases/{world.ids['c2']}/disclosure", f"/documents/{world.ids['n04']}/redaction"):
        page = client.get(url).text
        assert "<h1>" in page and "<h2>" in page
        for found in re.finditer(r'<input id="([^"]+)"', page):  # every text field has its label
            assert f'<label for="{found.group(1)}">' in page, (url, found.group(1))


# -- the scenario: one fictional case to schedules, a redacted copy and a signed bundle, by the API ---


def test_a_case_taken_to_schedules_a_redacted_statement_and_a_signed_bundle(world: World, tmp_path: Path) -> None:
    sup = "supervisor"
    opened = send(
        world,
        sup,
        "POST",
        "/api/cases",
        {"title": "Dell's account of the flat", "kind": "investigation", "document_ids": [world.ids["dell"]]},
    )
    assert opened.status_code == 200, opened.text
    case_id = opened.json()["case"]["id"]
    added = send(world, sup, "POST", f"/api/cases/{case_id}/documents", {"document_ids": [world.ids["n04"]]})
    assert added.status_code == 200, added.text

    # MG6C: the call note; MG6D: the witness's statement, sensitive for what it says about her
    mg6c = send(
        world,
        sup,
        "POST",
        f"/api/cases/{case_id}/disclosure/items",
        {
            "document_id": world.ids["n04"],
            "schedule": "non_sensitive",
            "description": "Call note, 2026, Abbey Lane line",
        },
    )
    assert mg6c.status_code == 200, mg6c.text
    mg6d = send(
        world,
        sup,
        "POST",
        f"/api/cases/{case_id}/disclosure/items",
        {
            "document_id": world.ids["dell"],
            "schedule": "sensitive",
            "description": "Witness statement of 'Dell', 9 April 2026",
            "sensitivity_reason": "it would identify a witness who fears reprisal",
        },
    )
    assert mg6d.status_code == 200, mg6d.text
    item_c, item_d = mg6c.json()["item"], mg6d.json()["item"]
    judged = send(
        world,
        sup,
        "POST",
        f"/api/cases/{case_id}/disclosure/{item_d}/judgement",
        {"meets_test": "yes", "reason": "she places the sergeant at the flat on a night he says he was off duty"},
    )
    assert judged.status_code == 200, judged.text
    schedules = judged.json()["disclosure"]
    assert [i["id"] for i in schedules["non_sensitive"]] == [item_c]
    (sensitive,) = schedules["sensitive"]
    assert sensitive["id"] == item_d and sensitive["judgement"]["meets_test"] is True
    assert sensitive["judgement"]["by"] == sup and sensitive["scheduled_by"] == sup
    # the assigned investigator does not read this case; the overseer reads it, MG6D included
    assert send(world, "assigned", "GET", f"/api/cases/{case_id}/disclosure").status_code == 404
    assert [
        i["id"] for i in send(world, "overseer", "GET", f"/api/cases/{case_id}/disclosure").json()["sensitive"]
    ] == [item_d]

    # a redacted copy of the statement: every suggested span, names first among them
    suggested = send(world, sup, "GET", f"/api/documents/{world.ids['dell']}/redaction").json()
    assert suggested["redactable"] and suggested["suggested"]
    names = {s["text"] for s in suggested["suggested"] if {"person", "pseudonym"} & set(s["kind"].split("+"))}
    assert "Dell" in names, suggested["suggested"]
    spans = [f"{s['start']}:{s['end']}" for s in suggested["suggested"]]
    before = world.store_size()
    redacted = send(
        world,
        sup,
        "POST",
        f"/api/documents/{world.ids['dell']}/redaction",
        {"spans": spans, "reason": "a copy for the defence without the witness's identity"},
    )
    assert redacted.status_code == 200, redacted.text
    version = redacted.json()["version"]
    assert redacted.json()["original"] == world.ids["dell"] and version != world.ids["dell"]
    events = world.written_since(before)
    assert [e.type for e in events] == [EventType.DOCUMENT_AMENDED, EventType.DOCUMENT_REDACTED]
    assert events[-1].actor == sup
    new_doc = world.register.store.documents.get_document(version)
    assert new_doc is not None
    data = (world.register.objects.get(new_doc[0].sha256) or b"").decode("utf-8")
    assert "[REDACTED]" in data
    for name in names:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", data), name
        assert name not in str(events[-1].body)  # the event records offsets and kinds, never the removed text
    original = world.register.objects.get(world.register.store.documents.get_document(world.ids["dell"])[0].sha256)  # type: ignore[index]
    assert original is not None and b"Dell" in original  # the original is untouched

    # the signed bundle, with a reason, verified offline
    before = world.store_size()
    assert send(world, sup, "POST", f"/api/cases/{case_id}/disclosure/export", {}).status_code == 422
    exported = send(world, sup, "POST", f"/api/cases/{case_id}/disclosure/export", {"reason": "service on the defence"})
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    bundle = tmp_path / "disclosure.zip"
    bundle.write_bytes(exported.content)
    report = verify_case_file(bundle, world.home.verifier_key())
    assert report.ok, report
    with zipfile.ZipFile(io.BytesIO(exported.content)) as opened_zip:
        assert f"schedules-{case_id}.pdf" in opened_zip.namelist()
    assert world.written_since(before) == []
    (audit,) = world.audited_since(before)
    assert audit.body["kind"] == "disclosure export" and audit.body["reason"] == "service on the defence"
