"""The pieces the web tests build their worlds from: the fictional inquiry ingested and analysed, the
same five members of staff, one account per kind of viewer signed in through the real /login form,
and a world that sends a viewer's requests and reads what they recorded.

Each test module builds its own world from these in a module-scoped `world` fixture of its own (a
world is expensive; on PostgreSQL tests/conftest.py gives each such fixture its module's database).
Everyone and everything here is fictional.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import StaffMember, StaffRole
from casetrail.model.event import Event, EventType
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app

INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"
PASSWORD = "correct horse battery staple"
IOPC = "Independent Office for Police Conduct"
ORIGIN = {"Origin": "http://testserver"}

Users = Mapping[str, tuple[list[str], str | None]]  # user name -> (roles, staff id)


# -- the inquiry ----------------------------------------------------------------------------------


def with_notes(root: Path, notes: int) -> Path:
    """A copy of the fictional inquiry in `root`/corpus with `notes` short call notes beside it
    (note-01.txt ...), so that writes which cannot be repeated each have a document of their own."""
    corpus = root / "corpus"
    shutil.copytree(INQUIRY, corpus)
    for n in range(1, notes + 1):
        (corpus / f"note-{n:02d}.txt").write_text(
            f"Note {n}: a caller rang the Abbey Lane line about the flat; call reference {n * 7919}.\n"
        )
    return corpus


def analysed(home: Home, name: str, corpus: Path = INQUIRY, pipeline: ExtractionPipeline | None = None) -> Register:
    """A new register "casetrail.test/`name`" in `home` holding `corpus`, extracted (with `pipeline`,
    else the default one) and resolved."""
    register = Register.create(home, f"casetrail.test/{name}")
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    analysis = Analysis(register, pipeline)
    analysis.extract()
    analysis.resolve()
    return register


def documents_by_name(register: Register) -> dict[str, str]:
    """File name without .txt ("statement-ash", "note-01") -> document id."""
    return {
        d.provenance.source_name.rsplit("/", 1)[-1].removesuffix(".txt"): d.id
        for d, _, _ in register.store.documents.iter_documents()
    }


# -- the people -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    pryce: StaffMember  # an investigator
    tait: StaffMember  # another, on no case
    whitlock: StaffMember  # a Northmoor supervisor, and the accused officer
    marsh: StaffMember  # a supervisor
    calder: StaffMember  # an overseer


def register_staff(cw: Casework, by: str) -> Staff:
    """The same five members of staff, registered in this order."""
    return Staff(
        pryce=cw.register_staff("Owen Pryce", by, force=IOPC),
        tait=cw.register_staff("Imogen Tait", by, force=IOPC),
        whitlock=cw.register_staff(
            "Darren Whitlock", by, force="Northmoor Police", collar_number="4471", roles=(StaffRole.SUPERVISOR,)
        ),
        marsh=cw.register_staff("Helen Marsh", by, force=IOPC, roles=(StaffRole.SUPERVISOR,)),
        calder=cw.register_staff("Ruth Calder", by, force=IOPC, roles=(StaffRole.OVERSEER,)),
    )


def viewers(staff: Staff) -> dict[str, tuple[list[str], str | None]]:
    """One account per kind of viewer: the investigator assigned to a case and one who is not, the
    accused (a supervisor), a supervisor, an overseer, and the roles tied to no member of staff."""
    return {
        "assigned": (["investigator"], staff.pryce.id),
        "unassigned": (["investigator"], staff.tait.id),
        "subject": (["supervisor"], staff.whitlock.id),
        "supervisor": (["supervisor"], staff.marsh.id),
        "overseer": (["overseer"], staff.calder.id),
        "auditor": (["auditor"], None),
        "admin": (["administrator"], None),
        "intake": (["intake"], None),
    }


def sign_in(app: Any, register: Register, users: Users) -> dict[str, TestClient]:
    """Each user made an account (password PASSWORD) and signed in through /login, on a client of
    its own to `app`."""
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    clients = {}
    for name, (roles, staff) in users.items():
        accounts.create_user(name, PASSWORD, roles, staff_id=staff)
        client = TestClient(app, headers=ORIGIN)
        signed = client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/", name
        clients[name] = client
    return clients


def csrf_tokens(clients: Mapping[str, TestClient]) -> dict[str, str]:
    """Each signed-in client's CSRF token, as a script reads it from /api/me."""
    return {name: client.get("/api/me").json()["csrf_token"] for name, client in clients.items()}


def every_viewer(home: Home, register: Register, staff: Staff) -> tuple[dict[str, TestClient], dict[str, str]]:
    """The app on `home`: a client per kind of viewer (`viewers(staff)` signed in, and "anonymous"
    with no session) and each one's CSRF token ("anonymous": none)."""
    app = create_app(home, secure_cookies=False)
    signed = sign_in(app, register, viewers(staff))
    return {"anonymous": TestClient(app, headers=ORIGIN), **signed}, {"anonymous": "", **csrf_tokens(signed)}


# -- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    """A world signed in: a client and a CSRF token per viewer ("anonymous": no session, no token)."""

    home: Home
    ids: dict[str, str]
    clients: dict[str, TestClient]
    csrf: dict[str, str]

    @property
    def register(self) -> Register:
        """The register the app serves."""
        found: Register = self.clients["supervisor"].app.state.web.inquiry.register  # type: ignore[attr-defined]
        return found

    def store_size(self) -> int:
        return int(self.register.store.ledger.ledger_size())

    def events_since(self, size: int) -> list[Event]:
        return [Event.from_leaf(data) for _, data in self.register.store.ledger.iter_recorded(size)]

    def written_since(self, size: int) -> list[Event]:
        """The changes since `size`: every event but the read audit."""
        return [e for e in self.events_since(size) if e.type is not EventType.READ_AUDITED]

    def audited_since(self, size: int) -> list[Event]:
        return [e for e in self.events_since(size) if e.type is EventType.READ_AUDITED]


def send(
    world: World,
    viewer: str,
    method: str,
    url: str,
    form: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    page: bool = False,
) -> Response:
    """As a page's form does (the token in the form) or as a script does (the token in a header)."""
    client = world.clients[viewer]
    if method == "GET":
        return client.get(url, params=form, follow_redirects=False)
    token = world.csrf[viewer]
    data = {**(form or {}), **({"csrf_token": token} if page else {})}
    headers = {} if page else {"x-csrf-token": token}
    return client.post(url, data=data, files=files, headers=headers, follow_redirects=False)
