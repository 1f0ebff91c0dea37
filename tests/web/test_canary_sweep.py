"""The canary sweep: every route the workbench declares, for fourteen identities, searched byte
by byte for what each identity must never be told.

A fictional inquiry (`canary.py`) plants canaries: each party's real name and its entity, the ids
and title words of cases, the allegation, subject and party ids inside them, document ids, a
phrase from each document, and the names of the officers accused. `READABLE`, written by hand,
says which cases each identity may read; everything else is forbidden to them. Routes come from
the application, so a route added later is swept without anyone listing it, and a path parameter
the sweep cannot fill fails the sweep rather than letting the route escape.

Passes, in order: every GET without a reason; the case-file export with a reason (each zip member
scanned); every other method with the viewer's CSRF token; and last, proposals of barred staff for
every case. Each content read that answers 200 must also leave a `read.audited` event.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.web.canary import (
    ACCOUNTS,
    ASSIGNERS,
    CASES,
    CORPUS,
    DOCUMENTS,
    IDENTITIES,
    IDENTITIES_SWEPT,
    INTAKE_SUBMITS,
    OFFICERS,
    PARTIES,
    SKIPPED_WRITES,
    AuditLedger,
    Canary,
    Declared,
    Hit,
    Probe,
    Scanner,
    World,
    all_canaries,
    audit_exempt,
    blobs,
    build_world,
    declared_routes,
    export_probes,
    forbidden,
    read_probes,
    unfillable,
    write_probes,
)

ID_KINDS = frozenset({"case_id", "case_ref", "document_id", "identity_entity"})


@dataclass(frozen=True)
class Miss:
    identity: str
    route: str
    url: str


@dataclass(repr=False)
class Sweep:
    world: World
    routes: list[Declared]
    gaps: dict[str, list[str]]
    hits: list[Hit] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    scanned: int = 0  # headers, bodies and zip members
    checks: int = 0  # canaries looked for, summed over everything scanned
    audited: int = 0  # content reads whose audit event was checked
    swept: set[tuple[str, str]] = field(default_factory=set)  # (identity, route) pairs requested
    barred: dict[str, dict[str, Canary]] = field(default_factory=dict)  # identity -> its forbidden canaries
    statuses: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)  # (identity, method, route, status)

    def __repr__(self) -> str:  # pytest prints the fixture on failure: the counts, not the world
        return f"Sweep({size(self)})"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    with ExitStack() as open_clients:
        yield run_sweep(tmp_path_factory.mktemp("canary"), open_clients)


def run_sweep(root: Path, open_clients: ExitStack) -> Sweep:
    world = build_world(root, open_clients)
    routes = declared_routes(world.app)
    gaps = {r.path: g for r in routes if (g := unfillable(r, world))}
    result = Sweep(world, [r for r in routes if r.path not in gaps], gaps)
    scanners = {i: Scanner(forbidden(world, i)) for i in IDENTITIES_SWEPT}
    result.barred = {i: s.canaries for i, s in scanners.items()}
    ledger = AuditLedger(world.home)
    for identity in IDENTITIES_SWEPT:
        for probe in read_probes(world, result.routes, identity) + export_probes(world, result.routes, identity):
            _run(result, probe, scanners[identity], ledger)
    for identity in IDENTITIES_SWEPT:
        for probe in write_probes(world, result.routes, identity):
            if probe.phase == "write":
                _run(result, probe, scanners[identity], ledger)
    # Proposals last, and the assigners' last of all: an accepted proposal changes who is assigned,
    # never what an assigner (a supervisor, who reads every case) may read.
    for identity in sorted(IDENTITIES_SWEPT, key=lambda i: i in ASSIGNERS):
        for probe in write_probes(world, result.routes, identity):
            if probe.phase == "assign":
                _run(result, probe, scanners[identity], ledger)
    return result


def _run(result: Sweep, probe: Probe, scanner: Scanner, ledger: AuditLedger) -> None:
    client = result.world.clients[probe.identity]
    user_id = result.world.user_ids[probe.identity]
    reads = probe.method == "GET" and user_id is not None and not audit_exempt(probe.route, dict(probe.params))
    mark = ledger.mark() if reads else -1
    response = client.request(
        probe.method,
        probe.url,
        params=dict(probe.params) or None,
        data=dict(probe.form) if probe.method != "GET" else None,
        files=[(probe.upload, ("sweep-note.txt", _upload(result), "text/plain"))] if probe.upload else None,
        headers={"x-csrf-token": dict(probe.form).get("csrf_token", "")} if probe.form else None,
        follow_redirects=False,
    )
    result.requests += 1
    result.statuses[(probe.identity, probe.method, probe.route, response.status_code)] += 1
    result.swept.add((probe.identity, probe.route))
    if response.status_code >= 500:
        result.errors.append(
            f"{probe.identity} {probe.method} {probe.url} {dict(probe.params)}: {response.status_code}"
        )
    exempt = _exempt(result.world, result.barred[probe.identity].values(), probe, response.status_code)
    for where, blob in blobs(response):
        result.hits += scanner.scan(probe, blob, where, exempt)
        result.scanned += 1
        result.checks += len(scanner)
    if reads and user_id and response.status_code == 200:
        result.audited += 1
        if not ledger.audited_since(mark, user_id):
            result.misses.append(Miss(probe.identity, probe.route, probe.url))


def _upload(result: Sweep) -> bytes:
    # unique bytes each time, so an upload is recorded rather than answered "duplicate of D-..."
    return f"A note handed in during the sweep, number {result.requests}.\n".encode()


def _exempt(world: World, barred: Iterable[Canary], probe: Probe, status: int) -> frozenset[str]:
    """Canaries a response may carry for reasons outside the case table, each said here.

    The read audit names the records that were read (that is what it is for): an auditor reading
    it may see ids, never titles, phrases or names. An export made with a reason carries the
    identifying details of the exported case's own parties, as the identity route would for the
    same reason; anyone else's stay forbidden.
    """
    held: set[str] = set()
    if "audit" in probe.route and "auditor" in _roles(probe.identity):
        held |= {c.text for c in barred if c.kind in ID_KINDS}
    if probe.phase == "export" and status == 200:
        case = next(k for k, v in world.cases.items() if re.search(rf"\b{v}\b", probe.url))
        own = {identity for party_case, _, _, identity, _ in PARTIES.values() if party_case == case and identity}
        held |= {c.text for c in barred if c.kind.startswith("identity") and c.about in own}
    return frozenset(held)


def _roles(identity: str) -> tuple[str, ...]:
    return ACCOUNTS[identity][0] if identity in ACCOUNTS else ()


# -- the verdicts ---------------------------------------------------------------------------------


def report(hits: list[Hit]) -> str:
    """Counts by kind and by route, then every distinct leak (identity, method, route, kind, canary)."""
    by_kind = Counter(h.kind for h in hits)
    by_route = Counter(f"{h.method} {h.route}" for h in hits)
    distinct: dict[tuple[str, str, str, str, str], list[Hit]] = defaultdict(list)
    for h in hits:
        distinct[(h.identity, h.method, h.route, h.kind, h.canary)].append(h)
    lines = [f"{len(hits)} canary hits, {len(distinct)} distinct (identity, route, canary)", "", "by kind:"]
    lines += [f"  {n:>6}  {kind}" for kind, n in by_kind.most_common()]
    lines += ["", "by route:"] + [f"  {n:>6}  {route}" for route, n in by_route.most_common()]
    lines += ["", "each leak (one example request, and where in the response):"]
    for key in sorted(distinct):
        first = min(distinct[key], key=lambda h: not h.where.startswith("export member"))  # name the member
        lines.append(f"  {first.line()}" + (f"  (+{len(distinct[key]) - 1} more)" if len(distinct[key]) > 1 else ""))
    return "\n".join(lines)


def size(result: Sweep) -> str:
    routes = {r.path for r in result.routes}
    return (
        f"swept {len(routes)} routes x {len(IDENTITIES_SWEPT)} identities "
        f"({len(result.swept)} identity-route pairs, {result.requests} requests); {result.scanned} headers, "
        f"bodies and export members scanned, {result.checks} canary checks; {result.audited} content reads' "
        f"audit events checked"
    )


def test_every_declared_route_can_be_swept(sweep: Sweep) -> None:
    # A route with a parameter the sweep cannot fill would otherwise be silently left out.
    assert not sweep.gaps, "teach the sweep these (tests/web/canary.py, path_values / FORM_FILLERS):\n" + "\n".join(
        f"  {route}: {', '.join(gaps)}" for route, gaps in sweep.gaps.items()
    )


def test_no_viewer_receives_a_canary(sweep: Sweep) -> None:
    assert not sweep.hits, size(sweep) + "\n\n" + report(sweep.hits)


def test_every_content_read_leaves_its_audit_event(sweep: Sweep) -> None:
    by_route: dict[str, list[Miss]] = defaultdict(list)
    for miss in sweep.misses:
        by_route[miss.route].append(miss)
    detail = [
        f"  {len(m):>5} unaudited 200s  GET {route}  (e.g. {m[0].identity} {m[0].url}; "
        f"{len({x.identity for x in m})} identities)"
        for route, m in sorted(by_route.items())
    ]
    assert not sweep.misses, "\n".join(
        [f"{len(sweep.misses)} of {sweep.audited} content reads left no read.audited event by their reader:", *detail]
    )


def test_no_route_fails(sweep: Sweep) -> None:
    assert not sweep.errors, "\n".join(sweep.errors[:50])


def test_the_sweep_reached_every_route_and_identity(sweep: Sweep, capsys: pytest.CaptureFixture[str]) -> None:
    """The sweep is not vacuous: each swept route was asked by every identity, and the canaries are live."""
    for route in sweep.routes:
        if "GET" in route.methods or route.path not in SKIPPED_WRITES:
            missed = [i for i in IDENTITIES_SWEPT if (i, route.path) not in sweep.swept]
            assert not missed, (route.path, missed)
    _canaries_are_live(sweep.world)
    with capsys.disabled():  # printed even under -q: the closing note quotes it
        print(f"\ncanary sweep: {size(sweep)}; {len(sweep.hits)} canary hits, {len(sweep.misses)} unaudited reads")


def _canaries_are_live(world: World) -> None:
    """A canary that a permitted viewer cannot find either is mistyped; then a zero would mean nothing."""
    supervisor = world.clients["supervisor"]
    for key, case_id in world.cases.items():
        text = supervisor.get(f"/api/cases/{case_id}").text
        assert CASES[key][0] in text and all(r in text for r in world.case_refs[key]), key
    for key, doc_id in world.documents.items():
        reader = "intake" if key in INTAKE_SUBMITS else "supervisor"
        page = world.clients[reader].get(f"/api/documents/{doc_id}")
        if page.status_code == 200:
            assert DOCUMENTS[key][2] in page.text, key
        else:  # in no case: nobody reads it, but the phrase is in the file as written
            assert DOCUMENTS[key][2] in (CORPUS / DOCUMENTS[key][0]).read_text()
    for party, (case, _, _, identity, _) in PARTIES.items():
        if identity:
            opened = supervisor.get(
                f"/api/cases/{world.cases[case]}/parties/{world.parties[party]}/identity",
                params={"reason": "checking the sweep's canaries"},
            )
            # the name is what the identity route exists to give; its entity id need not come with it
            assert IDENTITIES[identity][0] in opened.text, party
    for key, (name, named_in) in OFFICERS.items():
        assert name in supervisor.get(f"/api/documents/{world.documents[named_in[0]]}").text, key
    kinds: set[str] = {c.kind for c in all_canaries(world)}
    assert kinds == {
        "case_id",
        "case_title",
        "case_ref",
        "document_id",
        "sentence",
        "identity_name",
        "identity_entity",
        "subject_name",
    }
