"""The workbench over HTTP: every route × every kind of viewer, the read audit, CSRF and escaping.

The expected answers are written out by hand below, not derived from the policy under test.
Everyone here is fictional.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.verification import verify_store
from casetrail.model.casework import AssignmentRole, PartyRole
from casetrail.store.home import Home
from casetrail.web.app import create_app
from tests.web.world import PASSWORD, analysed, documents_by_name, register_staff, sign_in, viewers

VIEWERS = ("assigned", "unassigned", "subject", "supervisor", "overseer", "auditor", "admin", "intake")


@dataclass
class World:
    home: Home
    ids: dict[str, str]
    client_for: dict[str, TestClient]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = Home(tmp_path_factory.mktemp("web") / "home")
    register = analysed(home, "web")
    cw = Casework(register)
    doc = documents_by_name(register)
    officer = next(e for e in cw.entity_view().all_entities().values() if e.type == "officer")
    lead = "lead"
    staff = register_staff(cw, lead)
    c1 = cw.open_case("Complaints about an officer", lead)
    party = cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash", entity_id=None)
    for name in ("statement-ash", "statement-cass"):
        cw.add_document(c1.id, doc[name], lead, given_by=party.id if name == "statement-ash" else None)
    allegation = cw.add_allegation(c1.id, "abuse_of_position_sexual", lead)
    cw.add_subject(allegation.id, lead, entity_id=officer.id)
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_document(c2.id, doc["statement-dell"], lead)
    assert cw.assign(c2.id, staff.pryce.id, AssignmentRole.INVESTIGATOR, lead).allowed
    clients = sign_in(create_app(home, secure_cookies=False), register, viewers(staff))
    ids = {
        "c1": c1.id,
        "c2": c2.id,
        "ash": doc["statement-ash"],
        "cass": doc["statement-cass"],
        "dell": doc["statement-dell"],
        "article": doc["article-ash"],
        "officer": officer.id,
        "whitlock": staff.whitlock.id,
        "party": party.id,
    }
    return World(home, ids, clients)


# route -> expected status for each viewer, in VIEWERS order
MATRIX: dict[str, tuple[int, ...]] = {
    #                                      assigned unassigned subject supervisor overseer auditor admin intake
    "/api/cases/{c1}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/cases/{c1}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/api/cases/{c2}": (200, 404, 200, 200, 200, 404, 404, 404),
    "/cases/{c2}": (200, 404, 200, 200, 200, 404, 404, 404),
    "/api/documents/{cass}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/documents/{cass}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/api/documents/{dell}": (200, 404, 200, 200, 200, 404, 404, 404),
    "/documents/{dell}": (200, 404, 200, 200, 200, 404, 404, 404),
    "/api/entities/{officer}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/entities/{officer}": (404, 404, 404, 200, 200, 404, 404, 404),
    "/api/cases/{c2}/assignable": (404, 404, 200, 200, 404, 404, 404, 404),
    "/api/oversight": (404, 404, 404, 404, 200, 404, 404, 404),
    "/oversight": (404, 404, 404, 404, 200, 404, 404, 404),
    "/api/audit": (404, 404, 404, 404, 404, 200, 404, 404),
    "/audit": (404, 404, 404, 404, 404, 200, 404, 404),
    "/api/integrity": (404, 404, 404, 404, 404, 200, 404, 404),
    "/integrity": (200, 200, 200, 200, 200, 200, 200, 200),
    "/api/cases": (200, 200, 200, 200, 200, 200, 200, 200),
    "/cases": (200, 200, 200, 200, 200, 200, 200, 200),
    "/": (200, 200, 200, 200, 200, 200, 200, 200),
    "/api/me": (200, 200, 200, 200, 200, 200, 200, 200),
    "/api/search?q=Whitlock": (200, 200, 200, 200, 200, 200, 200, 200),
    "/search?q=Whitlock": (200, 200, 200, 200, 200, 200, 200, 200),
}
# what each viewer's case list holds
LISTED = {
    "assigned": {"c2"},
    "unassigned": set(),
    "subject": {"c2"},
    "supervisor": {"c1", "c2"},
    "overseer": {"c1", "c2"},
    "auditor": set(),
    "admin": set(),
    "intake": set(),
}


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_every_route_for_every_viewer(world: World, route: str) -> None:
    got = {}
    for viewer, want in zip(VIEWERS, MATRIX[route]):
        response = world.client_for[viewer].get(route.format(**world.ids), follow_redirects=False)
        got[viewer] = response.status_code
        assert response.status_code < 500, (route, viewer, response.text)
    assert got == dict(zip(VIEWERS, MATRIX[route])), route


def test_lists_and_search_obey_the_same_rules(world: World) -> None:
    for viewer in VIEWERS:
        listed = {c["id"] for c in world.client_for[viewer].get("/api/cases").json()}
        assert listed == {world.ids[k] for k in LISTED[viewer]}, viewer
        docs = {d["id"] for d in world.client_for[viewer].get("/api/documents").json()}
        assert (world.ids["cass"] in docs) == (world.ids["c1"] in listed), viewer
    # the subject is never in the picker of a case that names him, whatever the search
    picker = world.client_for["supervisor"].get(f"/api/cases/{world.ids['c1']}/assignable").json()
    assert world.ids["whitlock"] not in {p["id"] for p in picker}
    for q in ("Whitlock", "4471", "Northmoor", "Darren"):
        found = world.client_for["supervisor"].get(f"/api/cases/{world.ids['c1']}/assignable", params={"q": q}).json()
        assert world.ids["whitlock"] not in {p["id"] for p in found}, q
    # the link chart of a readable entity never shows what the viewer may not read
    for viewer in ("assigned", "subject"):
        for d in world.client_for[viewer].get("/api/documents").json():
            page = world.client_for[viewer].get(f"/api/documents/{d['id']}")
            if page.status_code == 200:
                for m in page.json()["mentions"]:
                    if m["entity_id"]:
                        graph = world.client_for[viewer].get(f"/api/entities/{m['entity_id']}").json()["graph"]
                        assert world.ids["officer"] not in {n["id"] for n in graph["nodes"]}, viewer
                        # and its case nodes are cases the viewer may read (c1 is not, for either)
                        shown = {n["id"] for n in graph["nodes"] if n["type"] == "case"}
                        assert shown <= {world.ids[k] for k in LISTED[viewer]} and world.ids["c1"] not in shown


def test_unsigned_requests_are_turned_away(world: World) -> None:
    anonymous = TestClient(world.client_for["admin"].app, headers={"Origin": "http://testserver"})
    for route in MATRIX:
        response = anonymous.get(route.format(**world.ids), follow_redirects=False)
        assert response.status_code in (401, 303), route
        if route.startswith("/api/"):
            assert response.status_code == 401
    wrong = anonymous.post("/login", data={"username": "supervisor", "password": "not the password"})
    assert "casetrail_session" not in anonymous.cookies and "Sign in" in wrong.text


def test_assignment_refusal_over_http_needs_csrf_and_is_recorded(world: World) -> None:
    client = world.client_for["supervisor"]
    form = {"staff_id": world.ids["whitlock"], "role": "interviewer"}
    assert client.post(f"/api/cases/{world.ids['c1']}/assignments", data=form).status_code == 403  # no CSRF token
    csrf = client.get("/api/me").json()["csrf_token"]
    result = client.post(f"/api/cases/{world.ids['c1']}/assignments", data=form, headers={"x-csrf-token": csrf}).json()
    assert result["result"]["allowed"] is False
    assert {c["rule"] for c in result["result"]["conflicts"]} >= {"party_in_case", "named_in_documents"}
    page = client.post(f"/cases/{world.ids['c1']}/assign", data={**form, "csrf_token": csrf})
    # the supervisor learns the kind of conflict, not the detail (that is the overseer's)
    assert "Refused" in page.text and "connected to this case" in page.text
    assert all(c["detail"] is None for c in result["result"]["conflicts"])
    case = client.get(f"/api/cases/{world.ids['c1']}").json()
    assert [r["staff_id"] for r in case["refusals"]] == [world.ids["whitlock"], world.ids["whitlock"]]


def test_every_read_is_audited_and_identity_needs_a_reason(world: World) -> None:
    client = world.client_for["overseer"]
    client.get(f"/api/cases/{world.ids['c1']}", params={"reason": "quarterly review"})
    identity = f"/api/cases/{world.ids['c1']}/parties/{world.ids['party']}/identity"
    assert client.get(identity).status_code == 428
    assert client.get(identity, params={"reason": "safeguarding check"}).status_code == 200
    assert world.client_for["assigned"].get(identity, params={"reason": "curious"}).status_code == 404
    rows = world.client_for["auditor"].get("/api/audit", params={"q": "overseer"}).json()
    kinds = {(r["kind"], r["what"], r["reason"]) for r in rows}
    assert ("case", world.ids["c1"], "quarterly review") in kinds
    assert ("identity", world.ids["party"], "safeguarding check") in kinds
    # found by its leaf number too (not in the recorded JSON), and by a word in another case
    leaf = next(r["leaf"] for r in rows if r["reason"] == "quarterly review")
    by_leaf = world.client_for["auditor"].get("/api/audit", params={"q": str(leaf)}).json()
    assert leaf in {r["leaf"] for r in by_leaf}
    assert world.client_for["auditor"].get("/api/audit", params={"q": "QUARTERLY Review"}).json()
    register = Register.open(world.home)
    assert verify_store(register.store, register.objects, NoteVerifier.from_text(world.home.verifier_key())).ok


def test_uploaded_markup_is_shown_as_text(world: World) -> None:
    client = world.client_for["intake"]
    csrf = client.get("/api/me").json()["csrf_token"]
    payload = b"Statement.\n<script>alert('x')</script><img src=x onerror=alert(1)> PC Ada Fernhill\n"
    result = client.post(
        "/api/documents", files=[("files", ("note.txt", payload, "text/plain"))], headers={"x-csrf-token": csrf}
    ).json()
    assert result[0]["status"] == "recorded" and json.loads(result[0]["receipt"])["leaf_index"] >= 0
    page = client.get(f"/documents/{result[0]['document_id']}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # intake sees what they submitted, not case content
    assert client.get(f"/api/documents/{world.ids['dell']}").status_code == 404


# what a search for the accused officer finds, for each viewer: only what they may read (the
# article is in no case, and was loaded by the operator, so it is in nobody's intake queue)
FOUND = {
    "assigned": set(),
    "unassigned": set(),
    "subject": set(),
    "supervisor": {"ash", "cass"},
    "overseer": {"ash", "cass"},
    "auditor": set(),
    "admin": set(),
    "intake": set(),
}


def test_search_finds_only_what_each_viewer_may_read(world: World) -> None:
    names = {world.ids[k]: k for k in ("ash", "cass", "dell", "article")}
    for viewer in VIEWERS:
        found = world.client_for[viewer].get("/api/search", params={"q": "whitlock"}).json()
        assert {names.get(d["id"], d["id"]) for d in found["documents"]} == FOUND[viewer], viewer
        assert found["document_count"] == len(FOUND[viewer]), viewer  # the count leaks nothing either
        assert (world.ids["officer"] in {e["id"] for e in found["entities"]}) == bool(FOUND[viewer]), viewer
    # the assigned investigator finds their own case's statement by its text; the snippet marks the hit
    found = world.client_for["assigned"].get("/api/search", params={"q": "shaved head"}).json()
    assert [d["id"] for d in found["documents"]] == [world.ids["dell"]]
    assert any(p["hit"] and p["text"].casefold() == "shaved" for p in found["documents"][0]["snippet"])
    # query syntax is not passed through: quotes, operators and column filters are just words
    for odd in ('"', "NEAR(a b)", "text:Whitlock OR *", "'); DROP TABLE documents; --"):
        assert world.client_for["supervisor"].get("/api/search", params={"q": odd}).status_code == 200
    page = world.client_for["supervisor"].get("/search", params={"q": "<b>whitlock</b>"})
    assert "<b>whitlock" not in page.text and "&lt;b&gt;whitlock" in page.text
    rows = world.client_for["auditor"].get("/api/audit", params={"q": "shaved head"}).json()
    assert any(r["kind"] == "search" for r in rows)


# who may export case c2's file (their own view of it, with proofs), in VIEWERS order
EXPORT = (200, 404, 200, 200, 200, 404, 404, 404)


def test_a_case_file_export_needs_reach_a_reason_and_is_audited(world: World, tmp_path: Path) -> None:
    from casetrail.casefile import verify_case_file

    route = f"/api/cases/{world.ids['c2']}/export"
    assert world.client_for["supervisor"].get(route).status_code == 428  # no reason
    got = {v: world.client_for[v].get(route, params={"reason": "disclosure to the panel"}).status_code for v in VIEWERS}
    assert got == dict(zip(VIEWERS, EXPORT))
    response = world.client_for["supervisor"].get(route, params={"reason": "disclosure to the panel"})
    assert response.headers["content-type"] == "application/zip"
    bundle = tmp_path / "c2.zip"
    bundle.write_bytes(response.content)
    assert verify_case_file(bundle, world.home.verifier_key()).ok
    rows = world.client_for["auditor"].get("/api/audit", params={"q": "disclosure to the panel"}).json()
    assert {r["kind"] for r in rows} == {"export"}
    # the case page's button: a POST, so the reason stays out of the URL
    client = world.client_for["supervisor"]
    page = f"/cases/{world.ids['c2']}/export"
    csrf = client.get("/api/me").json()["csrf_token"]
    assert client.post(page, data={"reason": "board review"}).status_code == 403  # no CSRF token
    posted = client.post(page, data={"reason": "board review", "csrf_token": csrf})
    assert posted.status_code == 200 and posted.headers["content-type"] == "application/zip"
    assert world.client_for["unassigned"].post(page, data={"reason": "x", "csrf_token": csrf}).status_code in (403, 404)


# who may confirm or reject a mention in Dell's statement (case c2), in VIEWERS order
DECIDE = (200, 404, 200, 200, 404, 404, 404, 404)


def test_confirming_and_rejecting_a_mention_is_recorded_and_applied_by_the_next_run(world: World) -> None:
    supervisor = world.client_for["supervisor"]
    mentions = supervisor.get(f"/api/documents/{world.ids['dell']}").json()["mentions"]
    # Dell names places and a force, no person: one the other statements name too, so splitting it off changes it
    target = next(
        m
        for m in mentions
        if m["entity_id"] and supervisor.get(f"/api/entities/{m['entity_id']}").json()["document_count"] > 1
    )
    route = f"/api/documents/{world.ids['dell']}/mentions/{target['id']}/decision"
    form = {"verdict": "confirm", "reason": "read the statement"}
    assert supervisor.post(route, data=form).status_code == 403  # no CSRF token
    got = {}
    for viewer in VIEWERS:
        client = world.client_for[viewer]
        csrf = client.get("/api/me").json()["csrf_token"]
        got[viewer] = client.post(route, data=form, headers={"x-csrf-token": csrf}).status_code
    assert got == dict(zip(VIEWERS, DECIDE))

    csrf = supervisor.get("/api/me").json()["csrf_token"]
    unreasoned = supervisor.post(
        route, data={"verdict": "reject", "reason": " "}, headers={"x-csrf-token": csrf}
    ).json()
    assert unreasoned["ok"] is False and "reason" in unreasoned["error"]
    page = supervisor.post(
        f"/documents/{world.ids['dell']}/mentions/{target['id']}/decision",
        data={"verdict": "reject", "reason": "a different man", "csrf_token": csrf},
    )
    assert "Recorded: you rejected" in page.text and "a different man" in page.text
    decisions = supervisor.get(f"/api/documents/{world.ids['dell']}").json()["decisions"]
    assert [(d["kind"], d["author"]) for d in decisions][-1] == ("split", "supervisor")

    # the next resolution run applies the rejection: the record is no longer in that entity
    register = Register.open(world.home)
    Analysis(register).resolve()
    after = {m["id"]: m for m in supervisor.get(f"/api/documents/{world.ids['dell']}").json()["mentions"]}
    assert after[target["id"]]["record_id"] == target["record_id"]
    assert after[target["id"]]["entity_id"] != target["entity_id"]


def test_a_warm_server_loads_its_views_before_the_first_request(world: World) -> None:
    app = create_app(world.home, secure_cookies=False, warm=True)
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:  # runs the lifespan, as uvicorn does
        casework = app.state.workbench.casework
        assert {"view", "accounts_kept", "case_entity_counts", "document_reach"} <= casework._memos.keys()
        # the accounts are kept in the store, for every worker, not in this one's memory
        assert "accounts" not in casework._memos
        assert casework.store.read_models.stamp("accounts") is not None
        signed = client.post("/login", data={"username": "supervisor", "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303
        assert client.get(f"/api/cases/{world.ids['c1']}").status_code == 200


# who reads a statement intake uploaded that no case holds yet: the supervisors triage it, except
# the one it names; nobody else (intake keeps their own upload)
TRIAGE = {
    "assigned": 404,
    "unassigned": 404,
    "subject": 404,
    "supervisor": 200,
    "overseer": 404,
    "auditor": 404,
    "admin": 404,
    "intake": 200,
}


def test_supervisors_triage_the_intake_queue_except_what_names_them(world: World) -> None:
    intake = world.client_for["intake"]
    csrf = intake.get("/api/me").json()["csrf_token"]
    text = b"Statement of the witness known as 'Fern'. PC Darren Whitlock, collar number 4471, sat in a silver Astra."
    result = intake.post(
        "/api/documents", files={"files": ("fern.txt", text, "text/plain")}, headers={"x-csrf-token": csrf}
    ).json()
    doc_id = result[0]["document_id"]
    register = Register.open(world.home)
    Analysis(register).extract()
    Analysis(register).resolve()
    got = {v: world.client_for[v].get(f"/api/documents/{doc_id}").status_code for v in VIEWERS}
    assert got == TRIAGE
    listed = {v: doc_id in {d["id"] for d in world.client_for[v].get("/api/documents").json()} for v in VIEWERS}
    assert listed == {v: code == 200 for v, code in TRIAGE.items()}


def test_the_access_log_names_route_patterns_never_urls(world: World, caplog: pytest.LogCaptureFixture) -> None:
    client = world.client_for["overseer"]
    term, reason = "Larkspurwhistle", "Fernhollow tribunal bundle"
    with caplog.at_level(logging.INFO, logger="casetrail.access"):
        client.get("/api/search", params={"q": term})
        client.get(f"/api/cases/{world.ids['c1']}", params={"reason": reason})
        client.get(f"/documents/{world.ids['ash']}")
    lines = [r.getMessage() for r in caplog.records if r.name == "casetrail.access"]
    assert any(line.startswith("GET /api/search 200 ") for line in lines), lines
    assert any(line.startswith("GET /api/cases/{case_id} ") for line in lines), lines
    assert any(line.startswith("GET /documents/{doc_id} ") for line in lines), lines
    said = "\n".join(lines)
    for secret in (term, reason.split()[0], world.ids["c1"], world.ids["ash"]):
        assert secret not in said
