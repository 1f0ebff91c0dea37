"""The working queues over HTTP: actions, intelligence, the overseer's inbox, proposals, entity
decisions and administration, for every kind of viewer.

The expected status codes are written out by hand below, not derived from the policy under test.
Everyone and everything here is fictional.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import (
    AssignmentRole,
    Description,
    PartyRole,
    Rule,
    StaffRole,
)
from casetrail.model.event import Event, EventType
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.views.case import case_version
from casetrail.web.app import create_app

INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"
PASSWORD = "correct horse battery staple"
VIEWERS = ("assigned", "unassigned", "subject", "supervisor", "overseer", "auditor", "admin", "intake", "anonymous")
LEAD = "lead"
NORTHMOOR = "Northmoor Police"
IOPC = "Independent Office for Police Conduct"


@dataclass
class World:
    home: Home
    cw: Casework
    accounts: Accounts
    ids: dict[str, str]
    clients: dict[str, TestClient]
    csrf: dict[str, str]

    def version(self, case: str) -> str:
        return str(case_version(self.cw.book(), self.ids[case]))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = Home(tmp_path_factory.mktemp("queues") / "home")
    register = Register.create(home, "casetrail.test/queues")
    register.ingest(iter_files([INQUIRY]), Submission("intake-desk", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    cw = Casework(register)
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    ids = _casework(cw, register)
    clients, csrf = _sign_in(home, accounts, ids)
    return World(home, cw, accounts, ids, clients, csrf)


def _casework(cw: Casework, register: Register) -> dict[str, str]:
    doc = {
        d.provenance.source_name.rsplit("/", 1)[-1].removesuffix(".txt"): d.id
        for d, _, _ in register.store.documents.iter_documents()
    }
    entities = {e.name: e.id for e in cw.entity_view().all_entities().values()}
    staff = {
        "pryce": cw.register_staff("Owen Pryce", LEAD, force=IOPC),
        "tait": cw.register_staff("Imogen Tait", LEAD, force=IOPC),
        "whitlock": cw.register_staff(
            "Darren Whitlock", LEAD, force=NORTHMOOR, collar_number="4471", roles=(StaffRole.SUPERVISOR,)
        ),
        "marsh": cw.register_staff("Helen Marsh", LEAD, force=IOPC, roles=(StaffRole.SUPERVISOR,)),
        "calder": cw.register_staff("Ruth Calder", LEAD, force=IOPC, roles=(StaffRole.OVERSEER,)),
        "okafor": cw.register_staff("Ines Okafor", LEAD, force=IOPC, roles=(StaffRole.OVERSEER,)),
        "fenwick": cw.register_staff("Nia Fenwick", LEAD, force=NORTHMOOR, roles=(StaffRole.INVESTIGATOR,)),
    }
    c1 = cw.open_case("Complaints about an officer", LEAD).id
    for name in ("statement-ash", "statement-cass", "article-ash"):
        cw.add_document(c1, doc[name], LEAD)
    cw.add_subject(
        cw.add_allegation(c1, "abuse_of_position_sexual", LEAD).id, LEAD, entity_id=entities["PC Darren Whitlock"]
    )
    sergeant = Description(
        force=NORTHMOOR,
        rank="sergeant",
        vehicle="dark blue Ford Mondeo NM52",
        physical="tall, shaved head, scar on the left cheek",
    )
    c2 = cw.open_case("Abbey Lane flat", LEAD).id
    cw.add_document(c2, doc["statement-dell"], LEAD)
    su2 = cw.add_subject(cw.add_allegation(c2, "neglect_of_duty", LEAD).id, LEAD, unknown=sergeant).id
    c3 = cw.open_case("Warnings to the Abbey Lane girls", LEAD).id
    cw.add_document(c3, doc["statement-briar"], LEAD)
    su3 = cw.add_subject(cw.add_allegation(c3, "intimidation", LEAD).id, LEAD, unknown=sergeant).id
    # c4: the overseer is a witness in it, so may not read it; it holds a refusal, a waiver and an escalation
    c4 = cw.open_case("Missed calls at the traffic desk", LEAD).id
    rees = cw.register_staff("Colm Rees", LEAD, force=NORTHMOOR, unit="Traffic")
    cw.add_subject(cw.add_allegation(c4, "neglect_of_duty", LEAD).id, LEAD, staff_id=rees.id)
    cw.add_party(c4, PartyRole.WITNESS, LEAD, staff_id=staff["calder"].id)
    assert cw.assign(c2, staff["pryce"].id, AssignmentRole.INVESTIGATOR, LEAD).allowed
    for case in (c2, c4):  # same force as a subject: refused, and waivable
        assert not cw.assign(case, staff["fenwick"].id, AssignmentRole.INVESTIGATOR, LEAD).allowed
    cw.record_waiver(
        c4, staff["fenwick"].id, Rule.SAME_FORCE, "a specialist nobody else can replace", staff["okafor"].id
    )
    past = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
    cw.record_intelligence("A taxi driver saw the Mondeo again", LEAD, case_id=c1, received_at=past)
    soon = cw.record_intelligence("The flat's landlord will talk", LEAD, case_id=c2, action_days=1)
    cw.raise_action("Trace the Mondeo's keeper", staff["pryce"].id, "2026-01-05", LEAD, case_id=c2)
    cw.raise_action("Ask the desk for its call log", staff["marsh"].id, "2026-01-05", LEAD, case_id=c4)
    cw.escalate(LEAD)
    return {
        "c1": c1,
        "c2": c2,
        "c3": c3,
        "c4": c4,
        "su2": su2,
        "su3": su3,
        "soon": soon.id,
        "ash": doc["statement-ash"],
        "article": doc["article-ash"],
        "dell": doc["statement-dell"],
        "abbey": entities["Abbey Lane"],
        "northmoor": entities["Northmoor"],
        "nm52": entities["NM52"],
        **{k: s.id for k, s in staff.items()},
    }


USERS: dict[str, tuple[list[str], str | None]] = {
    "assigned": (["investigator"], "pryce"),
    "unassigned": (["investigator"], "tait"),
    "subject": (["supervisor"], "whitlock"),
    "supervisor": (["supervisor"], "marsh"),
    "overseer": (["overseer"], "calder"),
    "auditor": (["auditor"], None),
    "admin": (["administrator"], None),
    "intake": (["intake"], None),
}


def _sign_in(home: Home, accounts: Accounts, ids: dict[str, str]) -> tuple[dict[str, TestClient], dict[str, str]]:
    app = create_app(home, secure_cookies=False)
    clients, csrf = {}, {}
    for name, (roles, staff) in USERS.items():
        user = accounts.create_user(name, PASSWORD, roles, staff_id=ids[staff] if staff else None)
        ids[f"user:{name}"] = user.id
        client = TestClient(app, headers={"Origin": "http://testserver"})
        assert (
            client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False).status_code
            == 303
        )
        clients[name], csrf[name] = client, client.get("/api/me").json()["csrf_token"]
    clients["anonymous"], csrf["anonymous"] = TestClient(app, headers={"Origin": "http://testserver"}), ""
    return clients, csrf


# -- the ledger, read beside the app ---------------------------------------------------------------


def _mark(world: World) -> int:
    store = world.home.open_store()
    return int(store.conn.execute("SELECT coalesce(max(idx), -1) FROM entries").fetchone()[0])


def _written(world: World, mark: int) -> list[Event]:
    """What was recorded after `mark`, the read audit apart."""
    store = world.home.open_store()
    events = [Event.from_leaf(data) for _, data in store.ledger.iter_recorded(mark + 1)]
    return [e for e in events if e.type is not EventType.READ_AUDITED]


# -- reads: every new page and list, for every viewer -----------------------------------------------

READS: dict[str, tuple[int, ...]] = {
    #                   assigned unassigned subject supervisor overseer auditor admin intake anonymous
    "/actions": (200, 200, 200, 200, 200, 404, 404, 404, 303),
    "/api/actions": (200, 200, 200, 200, 200, 404, 404, 404, 401),
    "/intelligence": (200, 200, 200, 200, 200, 404, 404, 200, 303),
    "/api/intelligence": (200, 200, 200, 200, 200, 404, 404, 200, 401),
    "/inbox": (404, 404, 404, 404, 200, 404, 404, 404, 303),
    "/api/inbox": (404, 404, 404, 404, 200, 404, 404, 404, 401),
    "/proposals": (200, 200, 200, 200, 404, 404, 404, 404, 303),
    "/api/proposals": (200, 200, 200, 200, 404, 404, 404, 404, 401),
    "/admin": (404, 404, 404, 404, 404, 404, 200, 404, 303),
    "/api/admin/staff": (404, 404, 404, 404, 404, 404, 200, 404, 401),
    "/api/admin/users": (404, 404, 404, 404, 404, 404, 200, 404, 401),
}


@pytest.mark.parametrize("route", sorted(READS))
def test_every_queue_for_every_viewer(world: World, route: str) -> None:
    got = {v: world.clients[v].get(route, follow_redirects=False).status_code for v in VIEWERS}
    assert got == dict(zip(VIEWERS, READS[route])), route


def test_each_viewer_sees_only_what_they_may_read(world: World) -> None:
    ids = world.ids
    board = world.clients["assigned"].get("/api/actions").json()
    assert {a["case_id"] for a in board["mine"]} == {ids["c2"]}
    assert {c["case_id"] for c in board["by_case"]} == {ids["c2"]}  # c4's action is not theirs to see
    assert all(a["days_overdue"] > 0 for a in board["overdue"])
    assert not world.clients["unassigned"].get("/api/actions").json()["by_case"]
    supervisor = world.clients["supervisor"].get("/api/actions").json()
    assert {c["case_id"] for c in supervisor["by_case"]} == {ids["c2"], ids["c4"]}
    # the subject supervisor never sees c1's intelligence; the supervisor does, lapsed
    subject = world.clients["subject"].get("/api/intelligence").json()
    assert ids["c1"] not in str(subject)
    lapsed = world.clients["supervisor"].get("/api/intelligence").json()["lapsed"]
    assert [i["case_id"] for i in lapsed] == [ids["c1"]]
    # intake may record intelligence without a case; its case picker still lists no case it may not read
    intake = world.clients["intake"].get("/api/intelligence").json()
    assert intake["may_record_unfiled"] and not intake["cases"] and not intake["action_cases"]
    assert not any(c in world.clients["intake"].get("/intelligence").text for c in (ids["c1"], ids["c2"], ids["c4"]))
    lapsing = world.clients["assigned"].get("/api/intelligence", params={"days": 2}).json()["lapsing"]
    assert ids["soon"] in {i["id"] for i in lapsing}
    # proposals: the same-account pair is in c1 (the assigned investigator may not read it); the
    # unknown-subject pair spans c2 and c3 (they may read only c2)
    assert not world.clients["assigned"].get("/api/proposals").json()["unknowns"]
    assert not world.clients["assigned"].get("/api/proposals").json()["accounts"]
    found = world.clients["supervisor"].get("/api/proposals").json()
    assert {(p["left"], p["right"]) for p in found["accounts"]} == {(ids["article"], ids["ash"])}
    assert {(p["left"], p["right"]) for p in found["unknowns"]} == {(ids["su2"], ids["su3"])}
    assert all(p["reasons"] for p in found["accounts"] + found["unknowns"])


def test_the_overseers_inbox_names_no_case_they_may_not_read(world: World) -> None:
    ids = world.ids
    inbox = world.clients["overseer"].get("/api/inbox").json()
    assert {e["case_id"] for e in inbox["escalations"]} >= {ids["c1"], ids["c2"]}
    assert {(c["case_id"], c["staff_id"], c["state"]) for c in inbox["conflicts"]} >= {
        (ids["c2"], ids["fenwick"], "refused")
    }
    assert all(line["kind"] for c in inbox["conflicts"] for line in c["conflicts"])
    page = world.clients["overseer"].get("/inbox").text
    for shown in (str(inbox), page):
        # c4 has an escalation, a refusal and a waiver: the overseer is a witness in it
        assert ids["c4"] not in shown and "Missed calls" not in shown
        assert "call log" not in shown and "a specialist nobody else can replace" not in shown


def test_administrators_see_no_case_content(world: World) -> None:
    admin = world.clients["admin"]
    shown = " ".join(admin.get(r).text for r in ("/admin", "/api/admin/staff", "/api/admin/users"))
    assert "Owen Pryce" in shown and "assigned" in shown  # the page is not empty
    book = world.cw.book()
    content = [
        *book.cases,
        *(c.title for c in book.cases.values()),
        *(a.description for a in book.actions.values()),
        *(i.summary for i in book.intelligence.values()),
        world.ids["ash"],
        world.ids["dell"],
        "Abbey Lane",
    ]
    assert not [c for c in content if c in shown]


# -- writes: every new write route, for every viewer ---------------------------------------------

Form = dict[str, str]
Write = Callable[[World], tuple[str, Form]]


def _raise(w: World) -> tuple[str, Form]:
    return "/api/actions", {
        "case_id": w.ids["c2"],
        "description": "Visit the taxi rank",
        "owner": w.ids["pryce"],
        "due": "2026-09-01",
        "version": w.version("c2"),
    }


def _complete(w: World) -> tuple[str, Form]:
    action = w.cw.raise_action("Find the rota", w.ids["pryce"], "2026-09-01", LEAD, case_id=w.ids["c2"])
    return f"/api/actions/{action.id}/complete", {"result": "rota found", "version": w.version("c2")}


def _intel_in_case(w: World) -> tuple[str, Form]:
    return "/api/intelligence", {
        "summary": "A neighbour remembers the car",
        "case_id": w.ids["c2"],
        "document_id": w.ids["dell"],
        "version": w.version("c2"),
    }


def _intel_no_case(w: World) -> tuple[str, Form]:
    return "/api/intelligence", {"summary": "A caller mentioned a sergeant"}


def _answer(w: World) -> tuple[str, Form]:
    return f"/api/intelligence/{w.ids['soon']}/actions", {
        "description": "Call the landlord",
        "owner": w.ids["pryce"],
        "due": "2026-09-01",
        "version": w.version("c2"),
    }


def _waiver(w: World) -> tuple[str, Form]:
    return "/api/waivers", {
        "case_id": w.ids["c2"],
        "staff_id": w.ids["fenwick"],
        "rule": "same_force",
        "reason": "the only vehicle examiner",
        "version": w.version("c2"),
    }


def _accounts(w: World) -> tuple[str, Form]:
    return "/api/proposals/accounts", {
        "left": w.ids["article"],
        "right": w.ids["ash"],
        "verdict": "confirm",
        "reason": "the article retells Ash's statement",
    }


def _unknowns(w: World) -> tuple[str, Form]:
    return "/api/proposals/unknowns", {
        "left": w.ids["su2"],
        "right": w.ids["su3"],
        "verdict": "reject",
        "reason": "different years",
    }


def _merge(w: World) -> tuple[str, Form]:
    return f"/api/entities/{w.ids['abbey']}/decisions", {
        "kind": "keep_apart",
        "other": w.ids["northmoor"],
        "reason": "a street, not the town",
    }


def _split(w: World) -> tuple[str, Form]:
    return f"/api/entities/{w.ids['nm52']}/decisions", {"kind": "split", "reason": "two different cars"}


def _staff(w: World) -> tuple[str, Form]:
    return "/api/admin/staff", {"name": "Pia Lund", "force": IOPC, "roles": "investigator", "collar_number": ""}


def _user(w: World) -> tuple[str, Form]:
    name = f"new-{len(w.accounts.list_users())}"
    return "/api/admin/users", {"username": name, "password": PASSWORD, "roles": "investigator"}


def _target(w: World, totp: bool = False) -> str:
    user = w.accounts.create_user(f"target-{len(w.accounts.list_users())}", PASSWORD, ["intake"])
    if totp:
        w.accounts.enable_totp(user.id, by=LEAD)
    return user.id


def _disable(w: World) -> tuple[str, Form]:
    user = _target(w)
    return f"/api/admin/users/{user}/disable", {"confirm_username": w.accounts.get_user(user).username}  # type: ignore[union-attr]


def _enable(w: World) -> tuple[str, Form]:
    user = _target(w)
    w.accounts.set_disabled(user, True, by=LEAD)
    return f"/api/admin/users/{user}/enable", {}


def _reset(w: World) -> tuple[str, Form]:
    user = _target(w, totp=True)
    return f"/api/admin/users/{user}/totp-reset", {"confirm_username": w.accounts.get_user(user).username}  # type: ignore[union-attr]


# write -> (the ledger event a success records, expected status for each viewer in VIEWERS order)
WRITES: dict[str, tuple[Write, str, tuple[int, ...]]] = {
    #                                                     assigned unassigned subject supervisor overseer auditor admin intake anon
    "raise": (_raise, "action.raised", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "complete": (_complete, "action.completed", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "intel in case": (_intel_in_case, "intelligence.recorded", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "intel, no case": (_intel_no_case, "intelligence.recorded", (422, 422, 422, 422, 403, 403, 403, 200, 401)),
    "answer intel": (_answer, "action.raised", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "waiver": (_waiver, "waiver.recorded", (403, 404, 403, 403, 200, 404, 404, 404, 401)),
    "same account": (_accounts, "accounts.compared", (404, 404, 404, 200, 403, 404, 404, 404, 401)),
    "same unknown": (_unknowns, "unknown_subjects.compared", (404, 404, 200, 200, 403, 404, 404, 404, 401)),
    "keep apart": (_merge, "decision.recorded", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "split": (_split, "decision.recorded", (200, 404, 200, 200, 403, 404, 404, 404, 401)),
    "register staff": (_staff, "staff.registered", (403, 403, 403, 403, 403, 403, 200, 403, 401)),
    "create user": (_user, "account.created", (403, 403, 403, 403, 403, 403, 200, 403, 401)),
    "disable user": (_disable, "account.changed", (403, 403, 403, 403, 403, 403, 200, 403, 401)),
    "enable user": (_enable, "account.changed", (403, 403, 403, 403, 403, 403, 200, 403, 401)),
    "reset totp": (_reset, "account.changed", (403, 403, 403, 403, 403, 403, 200, 403, 401)),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_for_every_viewer(world: World, write: str) -> None:
    build, event_type, expected = WRITES[write]
    got = {}
    for viewer in VIEWERS:
        path, form = build(world)
        mark = _mark(world)
        response = world.clients[viewer].post(path, data=form, headers={"x-csrf-token": world.csrf[viewer]})
        got[viewer] = response.status_code
        written = _written(world, mark)
        if response.status_code == 200:
            # exactly its ledger event(s), each with the signed-in user as actor
            assert written and {e.type.value for e in written} == {event_type}, (write, viewer)
            assert {e.actor for e in written} == {viewer}, (write, viewer)
        else:
            assert not written, (write, viewer, response.text)  # nothing half-done
    assert got == dict(zip(VIEWERS, expected)), write


def test_pages_answer_like_the_api(world: World) -> None:
    client, token = world.clients["assigned"], world.csrf["assigned"]
    form = {
        "case_id": world.ids["c2"],
        "description": "Photograph the flat",
        "owner": world.ids["pryce"],
        "due": "2026-10-01",
        "version": world.version("c2"),
        "csrf_token": token,
    }
    page = client.post("/actions", data=form)
    assert page.status_code == 200 and "Raised A-" in page.text and "Photograph the flat" in page.text
    bad = client.post("/actions", data={**form, "description": "", "version": world.version("c2")})
    assert bad.status_code == 422
    # the error is beside its field, tied to it for screen readers
    assert re.search(r'id="raise-description"[^>]*aria-invalid="true"', bad.text)
    assert 'id="raise-description-error"' in bad.text
    assert world.clients["anonymous"].post("/actions", data=form, follow_redirects=False).status_code == 303
    denied = world.clients["admin"].post("/admin/staff", data={"name": "", "csrf_token": world.csrf["admin"]})
    assert denied.status_code == 422 and 'id="staff-name-error"' in denied.text


def test_writes_without_the_csrf_token_are_refused(world: World) -> None:
    for build, _, _ in WRITES.values():
        path, form = build(world)
        mark = _mark(world)
        for viewer in ("supervisor", "admin", "overseer", "intake"):
            assert world.clients[viewer].post(path, data=form).status_code == 403, path
            assert world.clients[viewer].post(path.removeprefix("/api"), data=form).status_code in (403, 404, 405), path
        assert not _written(world, mark), path


def test_a_stale_page_is_refused_not_overwritten(world: World) -> None:
    path, form = _raise(world)
    client, token = world.clients["supervisor"], world.csrf["supervisor"]
    assert client.post(path, data=form, headers={"x-csrf-token": token}).status_code == 200
    mark = _mark(world)
    again = client.post(path, data=form, headers={"x-csrf-token": token})  # the case moved on: the same version
    assert again.status_code == 409 and again.json()["detail"] == "changed since you opened it; reload"
    waiver = {**_waiver(world)[1], "version": "0"}
    assert (
        world.clients["overseer"]
        .post("/api/waivers", data=waiver, headers={"x-csrf-token": world.csrf["overseer"]})
        .status_code
        == 409
    )
    assert not _written(world, mark)


@pytest.mark.parametrize(
    ("viewer", "build", "change", "field"),
    [
        ("assigned", _raise, {"description": " "}, "description"),
        ("assigned", _raise, {"owner": "S-9999"}, "owner"),
        ("assigned", _raise, {"due": "next week"}, "due"),
        ("supervisor", _raise, {"case_id": ""}, "case_id"),
        ("assigned", _intel_in_case, {"summary": "", "document_id": ""}, "summary"),
        ("assigned", _intel_in_case, {"document_id": "D-000001"}, "document_id"),  # in c1: not theirs to read
        ("overseer", _waiver, {"rule": "party_in_case"}, "rule"),
        ("overseer", _waiver, {"reason": ""}, "reason"),
        ("supervisor", _accounts, {"verdict": "maybe"}, "verdict"),
        ("supervisor", _merge, {"other": "E-nobody"}, "other"),
        ("supervisor", _split, {"record": "D-000009:1"}, "record"),
        ("admin", _user, {"password": "short"}, "password"),
        ("admin", _user, {"username": "no spaces allowed"}, "username"),
        ("admin", _user, {"staff_id": "S-9999"}, "staff_id"),
        ("admin", _staff, {"roles": "sheriff"}, "roles"),
        ("admin", _disable, {"confirm_username": "someone-else"}, "confirm_username"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_recorded(
    world: World, viewer: str, build: Write, change: Form, field: str
) -> None:
    path, form = build(world)
    mark = _mark(world)
    response = world.clients[viewer].post(path, data={**form, **change}, headers={"x-csrf-token": world.csrf[viewer]})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and response.json()["detail"]
    assert not _written(world, mark)


def test_an_overseer_who_is_not_independent_is_told_the_kind_of_conflict(world: World) -> None:
    # Okafor serves in Northmoor Police's force area now: give her a Northmoor colleague's view
    member = world.cw.register_staff("Bryn Castell", LEAD, force=NORTHMOOR, roles=(StaffRole.OVERSEER,))
    world.accounts.create_user("castell", PASSWORD, ["overseer"], staff_id=member.id)
    client = TestClient(world.clients["overseer"].app, headers={"Origin": "http://testserver"})
    client.post("/login", data={"username": "castell", "password": PASSWORD})
    token = client.get("/api/me").json()["csrf_token"]
    mark = _mark(world)
    refused = client.post("/api/waivers", data=_waiver(world)[1], headers={"x-csrf-token": token})
    assert refused.status_code == 403
    assert {c["rule"] for c in refused.json()["conflicts"]} == {"same_force"}
    assert not _written(world, mark)


def test_entity_decisions_say_when_they_apply(world: World) -> None:
    path, form = _merge(world)
    answer = (
        world.clients["supervisor"].post(path, data=form, headers={"x-csrf-token": world.csrf["supervisor"]}).json()
    )
    assert answer["decision"]["applies"] == "at the next resolution run (casetrail analyse)"
    page = world.clients["supervisor"].get(f"/entities/{world.ids['abbey']}").text
    assert "next resolution run" in page and 'action="/entities/' in page
    assert "Merge or split" not in world.clients["overseer"].get(f"/entities/{world.ids['abbey']}").text


def test_nav_links_only_for_those_who_may_use_them(world: World) -> None:
    links = {v: set(re.findall(r'<a href="(/[a-z]*)"', world.clients[v].get("/").text)) for v in USERS}
    assert "/admin" in links["admin"] and not {"/actions", "/inbox", "/proposals", "/intelligence"} & links["admin"]
    assert "/inbox" in links["overseer"] and "/admin" not in links["overseer"]
    assert {"/actions", "/intelligence", "/proposals"} <= links["assigned"] and "/inbox" not in links["assigned"]
    assert links["intake"] & {"/actions", "/intelligence", "/proposals"} == {"/intelligence"}
    assert not {"/actions", "/intelligence", "/inbox", "/admin"} & links["auditor"]
