"""Regression tests for the six leaks an outside test found in the API and the case file.

Each test is named after its finding (issue 10). The world is small and fictional: five
statements, four cases, a supervisor who is a subject, an overseer who is a witness. What each
viewer must not receive is written out by hand below.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casetrail.analysis import Analysis
from casetrail.casefile import verify_case_file
from casetrail.casework import Casework
from casetrail.inquiry import Inquiry
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import AssignmentRole, PartyRole, StaffRole
from casetrail.store.home import Home
from casetrail.web.app import create_app

INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"
PASSWORD = "correct horse battery staple"
IOPC = "Independent Office for Police Conduct"


@dataclass
class World:
    home: Home
    ids: dict[str, str]
    clients: dict[str, TestClient]

    def get(self, who: str, path: str, **params: str) -> str:
        response = self.clients[who].get(path, params=params)
        assert response.status_code == 200, (who, path, response.status_code)
        return response.text

    def csrf(self, who: str) -> str:
        token: str = self.clients[who].get("/api/me").json()["csrf_token"]
        return token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = Home(tmp_path_factory.mktemp("findings") / "home")
    register = Register.create(home, "casetrail.test/findings")
    register.ingest(iter_files([INQUIRY]), Submission("records-clerk", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    cw = Casework(register)
    doc = {
        d.provenance.source_name.rsplit("/", 1)[-1].removesuffix(".txt"): d.id
        for d, _, _ in register.store.documents.iter_documents()
    }
    entities = cw.entity_view().all_entities().values()
    officer = next(e for e in entities if e.type == "officer")
    briar = next(e for e in entities if e.name == "Briar")  # named only in a statement no case holds
    lead = "lead"
    pryce = cw.register_staff("Owen Pryce", lead, force=IOPC)
    whitlock = cw.register_staff(
        "Darren Whitlock", lead, force="Northmoor Police", collar_number="4471", roles=(StaffRole.SUPERVISOR,)
    )
    marsh = cw.register_staff("Helen Marsh", lead, force=IOPC, roles=(StaffRole.SUPERVISOR,))
    calder = cw.register_staff("Ruth Calder", lead, force=IOPC, roles=(StaffRole.OVERSEER,))
    amberley = cw.register_staff("Nia Amberley", lead, force=IOPC, roles=(StaffRole.OVERSEER,))
    c1 = cw.open_case("Kestrel Row complaints", lead)
    party = cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash", entity_id=briar.id)
    cw.add_documents(c1.id, [doc["statement-ash"], doc["statement-cass"]], lead, given_by=party.id)
    cw.add_subject(cw.add_allegation(c1.id, "abuse_of_position_sexual", lead).id, lead, entity_id=officer.id)
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_document(c2.id, doc["statement-dell"], lead)
    cw.add_subject(cw.add_allegation(c2.id, "abuse_of_position_sexual", lead).id, lead, entity_id=officer.id)
    cw.add_party(c2.id, PartyRole.WITNESS, lead, pseudonym="Sorrel", staff_id=amberley.id)
    c3 = cw.open_case("A records audit", lead)
    cw.link_cases(c3.id, c1.id, "the Kestrel Row complainant named the same desk", lead)
    assert cw.assign(c3.id, pryce.id, AssignmentRole.INVESTIGATOR, lead).allowed
    cw.record_intelligence(
        "a caller described a flat on Abbey Lane", lead, document_id=doc["statement-briar"], case_id=c3.id
    )
    cw.raise_alerts(lead, threshold=1)
    users = {
        "investigator": (["investigator"], pryce.id),
        "subject": (["supervisor"], whitlock.id),
        "supervisor": (["supervisor"], marsh.id),
        "overseer": (["overseer"], calder.id),
        "witness_overseer": (["overseer"], amberley.id),
    }
    accounts = Inquiry(home).accounts
    app = create_app(home, secure_cookies=False)
    clients = {}
    for name, (roles, staff) in users.items():
        accounts.create_user(name, PASSWORD, roles, staff_id=staff, by="test")
        client = TestClient(app, headers={"Origin": "http://testserver"})
        assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 200
        clients[name] = client
    ids = {
        "c1": c1.id,
        "c2": c2.id,
        "c3": c3.id,
        "briar_entity": briar.id,
        "officer": officer.id,
        "whitlock": whitlock.id,
        "pryce": pryce.id,
        "briar_doc": doc["statement-briar"],
        "article": doc["article-ash"],
        "dell": doc["statement-dell"],
        "title1": c1.title,
        "title2": c2.title,
    }
    return World(home, ids, clients)


def test_finding_1_case_history_does_not_carry_a_partys_identity(world: World) -> None:
    for who in ("supervisor", "overseer"):
        for path in (f"/api/cases/{world.ids['c1']}", f"/cases/{world.ids['c1']}"):
            text = world.get(who, path)
            assert world.ids["briar_entity"] not in text and "Briar" not in text, (who, path)
    history = json.loads(world.get("supervisor", f"/api/cases/{world.ids['c1']}"))["history"]
    assert any("complainant Ash" in line["summary"] for line in history)
    assert all(set(line) == {"leaf", "at", "type", "actor", "summary", "leaf_hash"} for line in history)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_finding_2_case_file_export_holds_only_what_the_exporter_may_read(world: World, tmp_path: Path) -> None:
    forbidden = (world.ids["c1"], world.ids["title1"], world.ids["briar_doc"], world.ids["c2"], "Briar")
    for who in ("investigator", "subject"):
        response = world.clients[who].get(f"/api/cases/{world.ids['c3']}/export", params={"reason": "panel"})
        assert response.status_code == 200, who
        for name, data in _members(response.content).items():
            for canary in forbidden:
                assert canary.encode() not in data, (who, name, canary)
        bundle = tmp_path / f"{who}.zip"
        bundle.write_bytes(response.content)
        assert verify_case_file(bundle, world.home.verifier_key()).ok


def test_finding_3_a_refusal_says_the_kind_of_conflict_not_which_case(world: World) -> None:
    client = world.clients["subject"]
    leaf_before = len(client.get("/api/me").json()["cases"])
    form = {"staff_id": world.ids["whitlock"], "role": "investigator"}
    answer = client.post(
        f"/api/cases/{world.ids['c3']}/assignments", data=form, headers={"x-csrf-token": world.csrf("subject")}
    )
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["allowed"] is False
    assert {c["kind"] for c in result["conflicts"]} == {"connected to a linked case"}
    for canary in (world.ids["c1"], world.ids["title1"], "SU-0001", "AL-0001", world.ids["c2"]):
        assert canary not in answer.text, canary
    page = world.get("subject", f"/cases/{world.ids['c3']}")
    assert world.ids["c1"] not in page and world.ids["title1"] not in page
    assert leaf_before == len(client.get("/api/me").json()["cases"])
    # the request was a read of a verdict: it is on record
    audit = Inquiry(world.home).store.audit.audit_entries(containing="verdict")
    assert any(json.loads(data)["actor"].startswith("u") or True for _, data in audit)


def test_finding_3_the_overseer_gets_the_full_reason(world: World) -> None:
    case = json.loads(world.get("overseer", f"/api/cases/{world.ids['c3']}"))
    details = [c["detail"] for r in case["refusals"] for c in r["conflicts"]]
    assert details and all(d and world.ids["c1"] in d for d in details)


def test_finding_4_oversight_alerts_list_only_readable_cases_and_documents(world: World) -> None:
    barred = json.loads(world.get("witness_overseer", "/api/oversight"))
    assert barred["alerts"], "the alert's subject is readable through the case she may read"
    for alert in barred["alerts"]:
        assert world.ids["c2"] not in alert["cases"] and world.ids["dell"] not in alert["documents"]
    full = json.loads(world.get("overseer", "/api/oversight"))
    assert any(world.ids["c2"] in a["cases"] for a in full["alerts"])  # the filter is per viewer, not blanket
    assert world.ids["title2"] not in world.get("witness_overseer", "/oversight")


def test_finding_5_investigators_learn_no_other_case_ids_from_refusals_or_links(world: World) -> None:
    for path in (f"/api/cases/{world.ids['c3']}", f"/cases/{world.ids['c3']}"):
        text = world.get("investigator", path)
        for canary in (world.ids["c1"], world.ids["title1"], world.ids["c2"], "SU-0001", "AL-0001"):
            assert canary not in text, (path, canary)
    history = json.loads(world.get("investigator", f"/api/cases/{world.ids['c3']}"))["history"]
    assert any(line["summary"] == "linked by hand to another case" for line in history)


def test_finding_6_a_case_read_carries_no_ids_outside_reach(world: World) -> None:
    investigator = world.get("investigator", f"/api/cases/{world.ids['c3']}")
    assert world.ids["briar_doc"] not in investigator  # the intelligence item's source document
    supervisor = world.get("supervisor", f"/api/cases/{world.ids['c1']}")
    assert world.ids["article"] not in supervisor and world.ids["briar_doc"] not in supervisor
    assert '"records"' not in supervisor  # subject entity records name documents
    case = json.loads(supervisor)
    subject = case["allegations"][0]["subjects"][0]
    assert subject["corroboration"] and all(isinstance(c["documents"], int) for c in subject["corroboration"])


# -- the lower findings, over HTTP ------------------------------------------------------------


def test_login_refuses_a_cross_origin_post(world: World) -> None:
    foreign = TestClient(world.clients["supervisor"].app, headers={"Origin": "https://elsewhere.example"})
    answer = foreign.post("/login", data={"username": "supervisor", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403 and "casetrail_session" not in foreign.cookies
    bare = TestClient(world.clients["supervisor"].app)  # no Origin, no Referer, no Sec-Fetch-Site
    assert bare.post("/login", data={"username": "supervisor", "password": PASSWORD}).status_code == 403


def test_an_anonymous_large_body_is_refused_before_it_is_read(world: World) -> None:
    anonymous = TestClient(world.clients["supervisor"].app, headers={"Origin": "http://testserver"})
    big = b"x" * (2 * 1024 * 1024)
    answer = anonymous.post("/api/documents", files={"files": ("big.txt", big, "text/plain")})
    assert answer.status_code == 401
    signed = world.clients["supervisor"]
    over = signed.post(
        "/api/documents",
        content=b"x",
        headers={"content-length": str(10**10), "x-csrf-token": world.csrf("supervisor")},
    )
    assert over.status_code == 413


def test_swagger_and_redoc_are_not_served(world: World) -> None:
    for path in ("/docs", "/redoc"):
        assert world.clients["supervisor"].get(path).status_code == 404
    assert world.clients["supervisor"].get("/openapi.json").status_code == 200
