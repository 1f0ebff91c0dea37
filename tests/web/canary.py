"""The canary inquiry: a fictional world that plants strings some viewers must never receive.

`build_world` records a small inquiry through the ordinary pipeline (intake, extraction,
resolution, casework) and signs in fourteen identities. Who may read which case is written out
by hand in `READABLE` from the role table in `casetrail.policy.access`, and everything else a
viewer must not see (`forbidden`) is derived from that table and from the world described here,
never by asking the policy under test.

The sweep's parts (`declared_routes`, the `*_probes`, `Scanner`, `AuditLedger`) take the routes
from the application, so a route added later is swept without anyone listing it. Everyone and
everything here is fictional.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import fastapi.params
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.routing import BaseRoute, Mount, Route

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission
from casetrail.model.casework import AssignmentRole, PartyRole, StaffRole
from casetrail.model.event import Event, EventType
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app

CORPUS = Path(__file__).parent / "canary_inquiry"
PASSWORD = "a canary sings in the mine shaft"
LEAD = "canary-lead"
CLERK = "records-clerk"  # submits the contact registers; not a workbench user, so nobody owns them
BODY = "Independent Office for Police Conduct"
BASE_URL = "http://testserver"  # TestClient's origin

# -- the world, by hand ---------------------------------------------------------------------------

# document key -> (file, a search word, a phrase only that document holds). The phrase is the
# canary; the search word sits outside it, so a search's echo of its query is never a hit.
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "k1a": ("k1-statement-linnet.txt", "lamp", "boathouse door flickered green all night"),
    "k1b": ("k1-statement-plover.txt", "grandmother", "tin of buttons shaped like little anchors"),
    "k2": ("k2-statement-curlew.txt", "smelled", "wet wool and peppermint"),
    "k3": ("k3-statement-dunlin.txt", "clock", "owl hung crooked over the stairwell"),
    "k4": ("k4-note-supervisor.txt", "biscuit", "tin painted with violets"),
    "k5": ("k5-statement-teal.txt", "frost", "drawn ferns across every window"),
    "k6": ("k6-statement-wren.txt", "radio", "only ever played brass band music"),
    "k7": ("k7-note-investigator.txt", "jar", "sea glass sat on the reception counter"),
    "k8": ("k8-statement-heron.txt", "chalked", "hopscotch grid in violet across the playground"),
    "intel": ("intelligence-gorse-hill.txt", "kite", "tangled in the chimney pots for a whole summer"),
    "reg_oak": ("register-oakenshaw.txt", "clerk", "door knocker was a brass hare"),
    "reg_pen": ("register-penhallow.txt", "windchime", "made of old spoons hung by the gate"),
    "reg_que": ("register-quennell.txt", "hallway", "papered with maps of lighthouses"),
}
INTAKE_SUBMITS = frozenset({"k8"})  # uploaded by the intake account: own_upload lets them read it

# case key -> (the word only its title holds, the rest of the title, its documents)
CASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "K1": ("Thistlecombe", "lifts from the Gorse Hill home", ("k1a", "k1b")),
    "K2": ("Wrenhallow", "a runaway interviewed and warned", ("k2",)),
    "K3": ("Pennyroyal", "the flat above the bakery", ("k3",)),
    "K4": ("Saltmarrow", "a complaint closed unread", ("k4",)),
    "K5": ("Ferncastle", "the youth club sighting", ("k5",)),
    "K6": ("Hollowmere", "lifts from the leisure centre", ("k6",)),
    "K7": ("Quillbrook", "an undeclared acquaintance", ("k7",)),
    "K8": ("Brambleigh", "the school visit", ("k8",)),
}
ALL_CASES = frozenset(CASES)

# officer key -> (the name the documents give, the documents naming them), and the cases they are subject of
OFFICERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "brackenbury": ("Lionel Brackenbury", ("k1a", "k1b", "k6")),
    "thwaite": ("Magnus Thwaite", ("k2", "k5")),
    "ashdown": ("Conrad Ashdown", ("k3",)),
}
# identity key -> (the real name behind a pseudonym, the one document naming them: in no case)
IDENTITIES: dict[str, tuple[str, str]] = {
    "oakenshaw": ("Tamsin Oakenshaw", "reg_oak"),
    "penhallow": ("Idris Penhallow", "reg_pen"),
    "quennell": ("Rosalind Quennell", "reg_que"),
}
# staff key -> (name, roles). Surnames no document holds, so no staff-to-entity match ties them to one.
STAFF: dict[str, tuple[str, tuple[StaffRole, ...]]] = {
    "pellow": ("Owain Pellow", (StaffRole.INVESTIGATOR,)),
    "vantongeren": ("Greta Vantongeren", (StaffRole.INVESTIGATOR,)),
    "dunstan": ("Mirela Dunstan", (StaffRole.SUPERVISOR,)),
    "halloway": ("Cedric Halloway", (StaffRole.OVERSEER,)),
    "rookwood": ("Bartholomew Rookwood", (StaffRole.SUPERVISOR,)),
    "marchbank": ("Philippa Marchbank", (StaffRole.OVERSEER,)),
    "felgate": ("Dorian Felgate", (StaffRole.INVESTIGATOR,)),
    "carrow": ("Ysolde Carrow", (StaffRole.SUPERVISOR,)),
    "tindall": ("Ambrose Tindall", (StaffRole.INVESTIGATOR,)),
}
# party key -> (case, role, pseudonym, identity key or None, staff key or None)
PARTIES: dict[str, tuple[str, PartyRole, str | None, str | None, str | None]] = {
    "linnet": ("K1", PartyRole.COMPLAINANT, "Linnet", "oakenshaw", None),
    "curlew": ("K2", PartyRole.COMPLAINANT, "Curlew", "penhallow", None),
    "dunlin": ("K3", PartyRole.COMPLAINANT, "Dunlin", "quennell", None),
    "carrow": ("K3", PartyRole.WITNESS, None, None, "carrow"),
}
GIVEN_BY = {"k1a": "linnet", "k2": "curlew", "k3": "dunlin"}
# case -> (allegation category, its subjects: ("officer" | "staff", key)). Brackenbury is a subject
# of K6 too, so his repeat-subject alert lists K6 beside K1.
ALLEGATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "K1": ("abuse_of_position_sexual", (("officer", "brackenbury"),)),
    "K2": ("intimidation", (("officer", "thwaite"),)),
    "K3": ("abuse_of_position_sexual", (("officer", "ashdown"),)),
    "K4": ("neglect_of_duty", (("staff", "rookwood"),)),
    "K5": ("neglect_of_duty", (("staff", "rookwood"),)),
    "K6": ("neglect_of_duty", (("staff", "marchbank"), ("officer", "brackenbury"))),
    "K7": ("neglect_of_duty", (("staff", "felgate"),)),
    "K8": ("failure_to_record_crime", ()),
}
ASSIGNMENTS = (
    ("K1", "pellow"),
    ("K2", "pellow"),
    ("K1", "felgate"),
    ("K7", "felgate"),
    ("K1", "tindall"),
    ("K3", "vantongeren"),
)
# Felgate is assigned to K7 above and made its subject afterwards: his assignment is now conflicted.
HAND_LINKS = (
    ("K2", "K4", "the same supervisor closed both earlier complaints"),
    ("K8", "K3", "both schools were visited by the same officers"),
)
# Proposals refused while the world is built, so the refusal sits in a readable case's record:
# Marchbank is a subject of K6 (linked to K1 by Brackenbury), Rookwood of K4 (linked to K2 by hand).
REFUSED = (("K1", "marchbank"), ("K2", "rookwood"))
# Staff proposed for every case in the sweep: the refusal must not say where they are barred.
PROPOSED = ("rookwood", "marchbank", "felgate", "carrow")

# identity -> (roles, staff key). The outsider has no account at all.
ACCOUNTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "supervisor": (("supervisor",), "dunstan"),
    "investigator": (("investigator",), "pellow"),
    "overseer": (("overseer",), "halloway"),
    "auditor": (("auditor",), None),
    "intake": (("intake",), None),
    "investigator_2": (("investigator",), "vantongeren"),
    "supervisor_subject": (("supervisor",), "rookwood"),
    "overseer_subject": (("overseer",), "marchbank"),
    "investigator_own_subject": (("investigator",), "felgate"),
    "supervisor_witness": (("supervisor",), "carrow"),
    "administrator": (("administrator",), None),
    "no_staff_record": (("investigator",), None),
    "investigator_auditor": (("investigator", "auditor"), "tindall"),
}
IDENTITIES_SWEPT = ("outsider", *ACCOUNTS)

# Who may read which case, from access.py's table and the world above (not from the policy):
#   supervisor, overseer: every case, less those where they are a subject or party;
#   investigator: current assignments, less the same; auditor, administrator: nothing (separation),
#   and nor does anyone also holding one of those roles; no staff record: nothing (known_person).
READABLE: dict[str, frozenset[str]] = {
    "outsider": frozenset(),
    "supervisor": ALL_CASES,
    "investigator": frozenset({"K1", "K2"}),
    "overseer": ALL_CASES,
    "auditor": frozenset(),
    "intake": frozenset(),
    "investigator_2": frozenset({"K3"}),
    "supervisor_subject": ALL_CASES - {"K4", "K5"},  # subject of K4 and K5 by staff record
    "overseer_subject": ALL_CASES - {"K6"},  # subject of K6
    "investigator_own_subject": frozenset({"K1"}),  # assigned to K1 and K7, subject of K7
    "supervisor_witness": ALL_CASES - {"K3"},  # witness in K3
    "administrator": frozenset(),
    "no_staff_record": frozenset(),
    "investigator_auditor": frozenset(),  # assigned to K1, but an auditor reads no case content
}
# Documents a viewer holds without a case: own_upload, for a role that may upload.
OWN_UPLOADS: dict[str, frozenset[str]] = {"intake": INTAKE_SUBMITS}
# Only supervisors assign; the sweep's proposals by anyone else change nothing.
ASSIGNERS = frozenset({"supervisor", "supervisor_subject", "supervisor_witness"})


def readable_documents(identity: str) -> frozenset[str]:
    held = {d for case in READABLE[identity] for d in CASES[case][2]}
    return frozenset(held | OWN_UPLOADS.get(identity, frozenset()))


# -- the world, built -----------------------------------------------------------------------------


@dataclass
class World:
    home: Home
    cases: dict[str, str]  # case key -> id
    documents: dict[str, str]  # document key -> id
    parties: dict[str, str]  # party key -> id
    staff: dict[str, str]  # staff key -> id
    officer_entities: dict[str, str]  # officer key -> entity id
    identity_entities: dict[str, str]  # identity key -> entity id
    case_refs: dict[str, list[str]]  # case key -> its allegation, subject and party ids
    entity_ids: list[str]  # every entity resolution made: few enough to sweep them all
    mention_pairs: list[tuple[str, int]] = field(default_factory=list)  # (document id, its first mention id)
    user_ids: dict[str, str | None] = field(default_factory=dict)  # identity -> account id
    app: FastAPI = field(default_factory=FastAPI)  # replaced by the workbench once the world is recorded
    clients: dict[str, TestClient] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)


def build_world(root: Path, open_clients: ExitStack) -> World:
    """The inquiry, recorded; the clients stay open (one event loop each) until `open_clients` closes."""
    home = Home(root / "home")
    register = Register.create(home, "casetrail.test/canary")
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    intake = accounts.create_user("intake", PASSWORD, ["intake"])  # first: it submits a document
    documents = _ingest(register, intake.id)
    Analysis(register).extract()
    Analysis(register).resolve()
    world = _casework(Casework(register), home, documents)
    world.user_ids = {"outsider": None, "intake": intake.id}
    for identity, (roles, staff_key) in ACCOUNTS.items():
        if identity != "intake":
            world.user_ids[identity] = accounts.create_user(
                identity.replace("_", "-"),
                PASSWORD,
                list(roles),
                staff_id=world.staff[staff_key] if staff_key else None,
            ).id
    world.mention_pairs = [
        (d, next(iter(register.store.analysis.iter_mentions(document_id=d)))[0]) for d in sorted(documents.values())
    ]
    world.app = create_app(home, secure_cookies=False)
    world.clients = {identity: _client(world.app, identity, open_clients) for identity in IDENTITIES_SWEPT}
    world.csrf = {i: _csrf(c) for i, c in world.clients.items() if i != "outsider"}
    return world


def _casework(cw: Casework, home: Home, documents: dict[str, str]) -> World:
    """Staff, cases, parties, subjects, assignments, links, refusals and oversight, as `CASES` and the rest say."""
    names = {e.id: e.name for e in cw.entity_view().all_entities().values()}
    officers = {k: _entity_named(names, name) for k, (name, _) in OFFICERS.items()}
    identities = {k: _entity_named(names, name) for k, (name, _) in IDENTITIES.items()}
    staff = {k: cw.register_staff(name, LEAD, force=BODY, roles=roles).id for k, (name, roles) in STAFF.items()}
    cases = {k: cw.open_case(f"{word}: {rest}", LEAD).id for k, (word, rest, _) in CASES.items()}
    parties = _parties(cw, cases, staff, identities)
    for key, (_, _, docs) in CASES.items():
        for doc in docs:
            given = GIVEN_BY.get(doc)
            cw.add_document(cases[key], documents[doc], LEAD, given_by=parties[given] if given else None)
    for case, member in ASSIGNMENTS:
        assert cw.assign(cases[case], staff[member], AssignmentRole.INVESTIGATOR, LEAD).allowed, (case, member)
    refs = _allegations(cw, cases, staff, officers)
    for case, other, reason in HAND_LINKS:
        cw.link_cases(cases[case], cases[other], reason, LEAD)
    for case, member in REFUSED:
        assert not cw.assign(cases[case], staff[member], AssignmentRole.INVESTIGATOR, LEAD).allowed, (case, member)
    _oversight(cw, cases, documents)
    for party, (case, *_rest) in PARTIES.items():
        refs[case].append(parties[party])
    return World(home, cases, documents, parties, staff, officers, identities, refs, sorted(names))


def _ingest(register: Register, intake_id: str) -> dict[str, str]:
    """Every document in; the intake account submits its own, a records clerk the rest."""
    found = {}
    for key, (name, _, _) in DOCUMENTS.items():
        by = intake_id if key in INTAKE_SUBMITS else CLERK
        (outcome,) = register.ingest([CORPUS / name], Submission(by, "canary"))
        assert outcome.status == "recorded" and outcome.document_id, outcome
        found[key] = outcome.document_id
    return found


def _entity_named(names: Mapping[str, str], name: str) -> str:
    matches = [eid for eid, n in names.items() if name in n]
    assert len(matches) == 1, f"expected one entity named {name!r}, resolution gave {matches}"
    return matches[0]


def _parties(cw: Casework, cases: dict[str, str], staff: dict[str, str], identities: dict[str, str]) -> dict[str, str]:
    found = {}
    for key, (case, role, pseudonym, identity, member) in PARTIES.items():
        found[key] = cw.add_party(
            cases[case],
            role,
            LEAD,
            pseudonym=pseudonym,
            entity_id=identities[identity] if identity else None,
            staff_id=staff[member] if member else None,
        ).id
    return found


def _allegations(
    cw: Casework, cases: dict[str, str], staff: dict[str, str], officers: dict[str, str]
) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {k: [] for k in cases}
    for key, (category, subjects) in ALLEGATIONS.items():
        allegation = cw.add_allegation(cases[key], category, LEAD, summary="as set out in the statement")
        refs[key].append(allegation.id)
        for kind, who in subjects:
            added = (
                cw.add_subject(allegation.id, LEAD, entity_id=officers[who])
                if kind == "officer"
                else cw.add_subject(allegation.id, LEAD, staff_id=staff[who])
            )
            refs[key].append(added.id)
    return refs


def _oversight(cw: Casework, cases: dict[str, str], documents: dict[str, str]) -> None:
    """Overdue intelligence on K1 (its document is in no case), escalations, a repeat-subject alert."""
    received = (datetime.now(UTC) - timedelta(days=60)).isoformat(timespec="seconds")
    cw.record_intelligence(
        "A sighting near the Gorse Hill home",
        LEAD,
        document_id=documents["intel"],
        case_id=cases["K1"],
        received_at=received,
    )
    cw.escalate(LEAD)
    alerts = cw.raise_alerts(LEAD, threshold=2)
    assert any(cases["K6"] in a["cases"] for a in alerts), alerts  # Brackenbury: K1 and K6


def _client(app: FastAPI, identity: str, open_clients: ExitStack) -> TestClient:
    # 500s come back as responses, so the sweep reports them instead of stopping at the first.
    # Opened once: a client used outside `with` starts an event loop thread for every request.
    client = open_clients.enter_context(TestClient(app, raise_server_exceptions=False, headers={"Origin": BASE_URL}))
    if identity != "outsider":
        sign_in(client, identity.replace("_", "-"))
    return client


def sign_in(client: TestClient, username: str) -> None:
    """Sign in as a browser would: from the login page, with its token if it has one, and our origin."""
    page = client.get("/login")
    data = {"username": username, "password": PASSWORD}
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    if token:
        data["csrf_token"] = token.group(1)
    signed = client.post("/login", data=data, headers={"origin": BASE_URL}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/", (username, signed.status_code)


def _csrf(client: TestClient) -> str:
    return str(client.get("/api/me").json()["csrf_token"])


# -- canaries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canary:
    kind: str  # case_id, case_title, case_ref, document_id, sentence, identity_name, identity_entity, subject_name
    text: str
    about: str  # the key in the world it stands for


def all_canaries(world: World) -> list[Canary]:
    found = []
    for key, (word, _, _) in CASES.items():
        found += [Canary("case_id", world.cases[key], key), Canary("case_title", word, key)]
        found += [Canary("case_ref", ref, key) for ref in world.case_refs[key]]
    for key, (_, _, phrase) in DOCUMENTS.items():
        found += [Canary("document_id", world.documents[key], key), Canary("sentence", phrase, key)]
    for key, (name, _) in IDENTITIES.items():
        found += [Canary("identity_name", name, key), Canary("identity_entity", world.identity_entities[key], key)]
    found += [Canary("subject_name", name, key) for key, (name, _) in OFFICERS.items()]
    return found


def forbidden(world: World, identity: str) -> list[Canary]:
    """Everything this identity must not receive, from `READABLE` and the world's description."""
    cases, documents = READABLE[identity], readable_documents(identity)
    officers = {k for k, (_, named_in) in OFFICERS.items() if documents & set(named_in)}
    barred = []
    for canary in all_canaries(world):
        allowed = {
            "case_id": cases,
            "case_title": cases,
            "case_ref": cases,
            "document_id": documents,
            "sentence": documents,
            "subject_name": officers,
        }.get(canary.kind, frozenset())
        if canary.about not in allowed:  # identities: nobody, without a reason
            barred.append(canary)
    return barred


def search_words() -> list[str]:
    """A word for each canary, lower-cased: search is case-blind, the canaries are not, so the
    query echoed back (or kept in the read audit) is never mistaken for a leak."""
    words = [word for word, _, _ in CASES.values()] + [w for _, w, _ in DOCUMENTS.values()]
    words += [name.split()[-1] for name, _ in (*IDENTITIES.values(), *OFFICERS.values())]
    return [w.casefold() for w in words]  # ids are not words: search splits "C-0004" into "c" and "0004"


# -- routes, from the application -----------------------------------------------------------------

SKIPPED_WRITES = {
    "/login": "signing in is how each client got its session",
    "/login/totp": "the second factor: no account here has one",
    "/logout": "it would end the viewer's session mid-sweep",
}
# Content that is not case content: reading it leaves no read audit.
AUDIT_EXEMPT = frozenset(
    {
        "/login",
        "/login/totp",
        "/favicon.ico",
        "/api/me",
        "/integrity",
        "/api/integrity",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
    }
)


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    is_file: bool = False


@dataclass(frozen=True)
class Declared:
    """One route as the application declares it."""

    path: str
    methods: frozenset[str]
    path_params: tuple[str, ...]
    query: tuple[Field, ...] = ()
    body: tuple[Field, ...] = ()


def declared_routes(app: FastAPI) -> list[Declared]:
    """Every HTTP route, schema or not, including those under a mounted sub-application."""
    return [_declared(prefix, route) for prefix, route in _walk(app.routes, "")]


def _walk(routes: Iterable[BaseRoute], prefix: str) -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            if not (prefix + route.path).startswith("/static"):  # files, not views
                yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):  # APIRoute is one; websockets are not swept
            yield prefix, route


def _declared(prefix: str, route: Route) -> Declared:
    path = prefix + route.path
    params = tuple(re.findall(r"\{(\w+)", path))
    methods = frozenset(route.methods or ()) - {"HEAD"}
    if not isinstance(route, APIRoute):
        return Declared(path, methods, params)
    query, body = [], []
    for dependant in _dependants(route.dependant):
        query += [_field(p) for p in dependant.query_params]
        body += [f for p in dependant.body_params for f in _body_fields(p)]
    return Declared(path, methods, params, tuple(query), tuple(body))


def _dependants(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _field(param: Any) -> Field:
    return Field(
        param.alias or param.name,
        bool(param.field_info.is_required()),
        isinstance(param.field_info, fastapi.params.File),
    )


def _body_fields(param: Any) -> list[Field]:
    """A form's fields; a form declared as one model is its model's fields."""
    model = param.field_info.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [Field(f.alias or n, f.is_required()) for n, f in model.model_fields.items()]
    return [_field(param)]


def path_values(world: World) -> dict[str, list[str]]:
    """Values for each path parameter name the sweep knows; every id in the world, all entities."""
    refs = [r for held in world.case_refs.values() for r in held]
    return {
        "case_id": sorted(world.cases.values()),
        "doc_id": sorted(world.documents.values()),
        "document_id": sorted(world.documents.values()),
        "entity_id": world.entity_ids,
        "party_id": sorted(world.parties.values()),
        "staff_id": sorted(world.staff.values()),
        "allegation_id": sorted(r for r in refs if r.startswith("AL")),
        "subject_id": sorted(r for r in refs if r.startswith("SU")),
        "user_id": sorted(u for u in world.user_ids.values() if u),
        # the world records one intelligence item (on K1) and raises no action: A-0001 is the id the
        # first one would get, so the action routes are swept as not found, and as found if a write made one
        "intelligence_id": ["I-0001"],
        "action_id": ["A-0001"],
        # nothing is scheduled for disclosure in the world: DI-0001 is the first item's id, swept as not found
        "item_id": ["DI-0001"],
    }


def fill(route: Declared, world: World) -> list[dict[str, str]]:
    """Every filling of the route's path parameters; a document's mention goes with its document."""
    values = path_values(world)
    names = list(route.path_params)
    pairs: list[dict[str, str]] = [{}]
    if {"mention_id"} <= set(names):
        doc = next(n for n in names if n in ("doc_id", "document_id"))
        pairs = [{doc: d, "mention_id": str(m)} for d, m in world.mention_pairs]
        names = [n for n in names if n not in (doc, "mention_id")]
    rest = [dict(zip(names, combo)) for combo in product(*(values[n] for n in names))]
    return [{**p, **r} for p, r in product(pairs, rest)]


def unfillable(route: Declared, world: World) -> list[str]:
    """What about this route the sweep cannot fill: a new kind of id must be taught to it, not skipped."""
    known = set(path_values(world)) | {"mention_id"}
    gaps = [f"path parameter {{{p}}}" for p in route.path_params if p not in known]
    if "mention_id" in route.path_params and not {"doc_id", "document_id"} & set(route.path_params):
        gaps.append("{mention_id} without its document")
    gaps += [f"required query parameter {q.name!r}" for q in route.query if q.required and q.name not in QUERY_FILLERS]
    if route.path not in SKIPPED_WRITES:
        gaps += [
            f"required form field {b.name!r}"
            for b in route.body
            if b.required and not b.is_file and b.name not in FORM_FILLERS
        ]
    return gaps


# `reason` is given only in the export pass: without one, no identity is opened and no case file made.
QUERY_FILLERS = frozenset({"q", "reason"})
# Form fields the sweep fills; `reason` is empty, so no identity is opened and no decision recorded.
FORM_FILLERS = frozenset({"csrf_token", "staff_id", "role", "verdict", "reason", "receipt"})


@dataclass(frozen=True)
class Probe:
    identity: str
    method: str
    route: str  # as declared
    url: str
    params: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    upload: str | None = None  # the file field's name, when the route takes files
    phase: str = "read"  # read, export, write, assign

    def supplied(self) -> str:
        """What the viewer typed: a canary they sent is not one they were told."""
        return " ".join([unquote_plus(self.url), *(v for _, v in self.params), *(v for _, v in self.form)])


def read_probes(world: World, routes: Sequence[Declared], identity: str) -> list[Probe]:
    words = search_words()
    picker_words = [STAFF[k][0].split()[-1].casefold() for k in PROPOSED]
    probes = []
    for route in (r for r in routes if "GET" in r.methods):
        query = {q.name for q in route.query}
        for values in fill(route, world):
            url = _url(route.path, values)
            if not any(q.required and q.name == "q" for q in route.query):
                probes.append(Probe(identity, "GET", route.path, url))  # a required reason left out: the 4xx is swept
            if "q" in query:  # a search: each canary's word, or for an item's own search the barred staff
                for word in picker_words if route.path_params else words:
                    probes.append(Probe(identity, "GET", route.path, url, (("q", word),)))
    return probes


def export_probes(world: World, routes: Sequence[Declared], identity: str) -> list[Probe]:
    """The case file, with a reason: what an exporter is given must still be only what they may read."""
    probes = []
    for route in (r for r in routes if "GET" in r.methods and "export" in r.path):
        for values in fill(route, world):
            probes.append(
                Probe(identity, "GET", route.path, _url(route.path, values), (("reason", "sweep"),), phase="export")
            )
    return probes


def write_probes(world: World, routes: Sequence[Declared], identity: str) -> list[Probe]:
    """Every other method, with the viewer's CSRF token; proposals of barred staff are the `assign` phase."""
    token = world.csrf.get(identity, "")
    probes = []
    for route in routes:
        if route.path in SKIPPED_WRITES:
            continue
        fields = {b.name for b in route.body}
        for method in sorted(route.methods - {"GET"}):
            for values in fill(route, world):
                url = _url(route.path, values)
                form = _form(fields, token)
                upload = next((b.name for b in route.body if b.is_file), None)
                if "staff_id" in fields:
                    for member in PROPOSED:
                        probes.append(
                            Probe(
                                identity,
                                method,
                                route.path,
                                url,
                                (),
                                tuple({**form, "staff_id": world.staff[member]}.items()),
                                upload,
                                "assign",
                            )
                        )
                else:
                    probes.append(Probe(identity, method, route.path, url, (), tuple(form.items()), upload, "write"))
    return probes


def _form(fields: set[str], token: str) -> dict[str, str]:
    # `reviewer`: a role none of the proposed holds yet, so the answer is the verdict, not "already"
    plausible = {
        "csrf_token": token,
        "role": AssignmentRole.REVIEWER.value,
        "verdict": "confirm",
        "reason": "",
        "receipt": "{}",
    }
    return {"csrf_token": token, **{k: v for k, v in plausible.items() if k in fields}}


def _url(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], template)


# -- scanning -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    identity: str
    method: str
    route: str
    url: str
    kind: str
    canary: str
    where: str  # body, a header, or an export member

    def line(self) -> str:
        return f"{self.identity:<25} {self.method:<4} {self.url:<48} {self.kind:<15} {self.canary!r} in {self.where}"


class Scanner:
    """One viewer's forbidden canaries as one pattern; matches whole words, case as written."""

    def __init__(self, canaries: Sequence[Canary]) -> None:
        self.canaries = {c.text: c for c in canaries}
        alternatives = b"|".join(re.escape(t.encode()) for t in sorted(self.canaries, key=len, reverse=True))
        self.pattern = re.compile(rb"(?<![\w])(?:" + alternatives + rb")(?![\w])") if canaries else None

    def __len__(self) -> int:
        return len(self.canaries)

    def scan(self, probe: Probe, blob: bytes, where: str, exempt: frozenset[str] = frozenset()) -> list[Hit]:
        """The canaries in `blob`, once each; `exempt` and what the viewer sent themselves do not count."""
        if self.pattern is None:
            return []
        supplied = probe.supplied()
        hits = {}
        for match in self.pattern.finditer(blob):
            canary = self.canaries[match.group().decode()]
            if canary.text in supplied or canary.text in exempt:
                continue
            hits[canary.text] = Hit(
                probe.identity, probe.method, probe.route, probe.url, canary.kind, canary.text, where
            )
        return list(hits.values())


def blobs(response: Any) -> Iterator[tuple[str, bytes]]:
    """Every byte the viewer receives: headers, the body, and each member of a zip."""
    for name, value in response.headers.items():
        yield f"header {name}", value.encode("latin-1", "replace")
    if response.content[:4] != b"PK\x03\x04":
        yield "body", response.content
        return
    yield "zip (member names, stored bytes)", response.content
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        for member in bundle.namelist():
            yield f"export member {member}", bundle.read(member)


# -- the read audit -------------------------------------------------------------------------------


class AuditLedger:
    """The store's read audit, read beside the app (a second, read-only connection)."""

    def __init__(self, home: Home) -> None:
        self.store = home.open_store()  # used only to read

    def mark(self) -> int:
        return next((idx for idx, _ in self.store.audit.audit_entries()), -1)

    def audited_since(self, mark: int, user_id: str) -> bool:
        for idx, data in self.store.audit.audit_entries():
            if idx <= mark:
                return False
            event = Event.from_leaf(data)
            if event.type is EventType.READ_AUDITED and event.actor == user_id:
                return True
        return False


def audit_exempt(route: str, params: Mapping[str, str] | None = None) -> bool:
    # The blank search form shows nothing but the form: it is not a read.
    blank_search = route == "/search" and not (params or {}).get("q", "").strip()
    return route in AUDIT_EXEMPT or route.startswith("/static") or blank_search
