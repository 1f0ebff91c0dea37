"""Growth: one synthetic inquiry grown in steps, served by `casetrail serve --workers 4` under 20 users (issue 14).

Issue 14 asks that, as an inquiry grows, the workbench's p95 per route stays under 150 ms with 4
workers and 20 concurrent users, and that each worker's resident memory and the server's start time
stay flat. This bench grows ONE inquiry: the generator makes the largest step's inquiry once (its
cast is sized for that step), and each step ingests the next slice of its documents into the same
home through the real ledger (`Register.ingest`), stores the generator's true mentions as the
extraction (no spaCy, as bench/workbench.py does: `store_truth`, pipeline "truth@1"), re-runs the
real resolution (`Analysis.resolve()`, full by default; `--incremental` after the first step) and
grows the casework: the demo's casework at the first step (`build_demo_casework`: cases, staff,
intelligence, escalations, alerts), then one more case per new complaint, in the demo's way, up to
documents/50 cases (between 25 and 500); each case gathers up to `--case-documents` documents
naming its subjects (workbench.py `gather_documents`); then, as `casetrail analyse` ends, the
store's read models are made current (`accounts.keep`: accounts and same-account proposals). Accounts: an investigator assigned to about a
quarter of the cases, a supervisor and an overseer (workbench.py's three).

At each step, a real server in a subprocess, started as an operator starts it (with the key file in
CASETRAIL_KEY_FILE, and CASETRAIL_DATABASE_URL on PostgreSQL):
  - `start_first_s`: until /login first answers 200 (one worker warm);
    `start_s`: until every worker has answered (each response traced, through /proc, to the worker
    holding the server's end of its connection; a worker accepts only once its views are warm);
  - `rss_mb_per_worker_*`: VmRSS of each worker (the server's spawned children) after warm-up and
    after the load, max and mean;
  - the load: `--users` threads (default 20), each its own httpx.Client signed in through the real
    /login form, roles in turn investigator, supervisor, overseer, each a bounded loop of
    `--requests` GETs (default 30) cycling over its role's routes, ids drawn from what that viewer
    may read: document page and API, entity page, case page and API, search API (investigator,
    supervisor); oversight page and API, search API (overseer); and /static/style.css for every role,
    the baseline measured in the same run under the same load (`ratio_to_static`);
    `workers_cpu_ms_per_request`: the workers' user+system CPU during the loops over the requests
    made (what a request costs the server, whatever else the machine is doing);
  - before the load, `solo_p50_ms` and `solo_p95_ms` per route: `--solo` GETs (default 10), one
    client, one request at a time (what a route costs without queueing behind the others);
  - the server stopped with SIGTERM (its process group killed if it does not stop).
Lines are `step=N name=value ...`. At the end a growth table and a least-squares line of start
time, RSS per worker, worst p95, CPU per request and worst solo p95 against the number of
documents, projected to 300k, 1M and 10M documents: a PROJECTION from the steps measured, not a
measurement.

    cd bench && ../.venv/bin/python growth.py                           # 2,000 / 5,000 / 10,000 documents, SQLite
    cd bench && ../.venv/bin/python growth.py --steps 30000,100000,300000   # issue 14's steps, on a real machine
    cd bench && ../.venv/bin/python growth.py --steps 2000 \\
        --database-url "$(python3 ../tests/postgres_cluster.py url DIR)"   # PostgreSQL (an empty database)

All people are fictional (casetrail.synthetic). Speed is never asserted in tests; this only reports.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _keys import encrypted_home  # noqa: E402
from _timing import pct
from workbench import INVESTIGATOR, PASSWORD, TruthExtractor, World, gather_documents, ingest_corpus, store_truth

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.demo import CATEGORY_CUES, DEMO_ACTOR, INDEPENDENT_STAFF, OVERSEER, SUPERVISOR, build_demo_casework
from casetrail.errors import CaseworkError
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register
from casetrail.model.casework import AssignmentRole, PartyRole
from casetrail.store.accounts import AccountStore
from casetrail.store.home import ENV_DATABASE_URL, Home
from casetrail.store.keys import ENV_KEY_FILE
from casetrail.synthetic.inquiry import Inquiry, generate_inquiry
from casetrail.views.sight import sight_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the served helpers live with the tests
from tests import served  # noqa: E402

TARGET_MS = 150.0
ROLES = ("investigator", "supervisor", "overseer")
PROJECT_TO = (300_000, 1_000_000, 10_000_000)
STATIC = "static"


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # with {} for an id or a search term
    pool: str | None  # "documents", "entities", "cases", "terms" or None


CASE_ROUTES = (
    Route("document_page", "/documents/{}", "documents"),
    Route("document_api", "/api/documents/{}", "documents"),
    Route("entity_page", "/entities/{}", "entities"),
    Route("case_page", "/cases/{}", "cases"),
    Route("case_api", "/api/cases/{}", "cases"),
    Route("search_api", "/api/search?q={}", "terms"),
    Route(STATIC, "/static/style.css", None),
)
ROUTES_OF = {
    "investigator": CASE_ROUTES,
    "supervisor": CASE_ROUTES,
    "overseer": (
        Route("oversight_page", "/oversight", None),
        Route("oversight_api", "/api/oversight", None),
        Route("search_api", "/api/search?q={}", "terms"),
        Route(STATIC, "/static/style.css", None),
    ),
}


def say(step: int, **fields: Any) -> None:
    """One line: `step=N name=value ...`."""
    parts = [f"step={step}"]
    for name, value in fields.items():
        if isinstance(value, float):
            value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
        parts.append(f"{name}={value}")
    print(" ".join(parts), flush=True)


# -- growing the inquiry --------------------------------------------------------------------------


@dataclass
class Grown:
    """The inquiry as it grows: one home, one register open between steps, the accounts made once."""

    home: Home
    register: Register
    inquiry: Inquiry
    ingested: int = 0
    staff: dict[str, str] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)


def grow(grown: Grown, step: int, where: Path, args: argparse.Namespace) -> dict[str, float]:
    """Ingest documents up to `step`, store their truth, resolve, grow the casework. Returns seconds per phase."""
    laps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        laps[name], clock = now - clock, now

    register = grown.register
    part = Inquiry(grown.inquiry.seed, grown.inquiry.cast, grown.inquiry.statements[grown.ingested : step])
    doc_of = ingest_corpus(register, part, where / f"corpus-{step}")
    grown.ingested = step
    lap("ingest")
    stored, dropped = store_truth(register, part, doc_of)
    lap("store_truth")
    incremental = args.incremental and grown.users != {}
    summary = Analysis(register, ExtractionPipeline([TruthExtractor()])).resolve(incremental=incremental)
    lap("resolve")
    casework = Casework(register, grown.home.config())
    cases = max(25, min(500, step // 50))
    if not grown.users:
        build_demo_casework(casework, max_cases=cases)
        make_accounts(grown, casework)
    else:
        grow_cases(casework, cases)
    lap("casework")
    world = World(register, Casework(register, grown.home.config()), {}, grown.staff, grown.users, grown.home)
    added = gather_documents(world, args.case_documents, args.seed)
    lap("gather_case_documents")
    kept = world.casework.accounts.keep()  # as `casetrail analyse` ends: the workers read what it keeps
    lap("keep_read_models")
    book = world.casework.book()
    say(
        step,
        ingest_recorded=len(doc_of),
        truth_mentions_stored=stored,
        truth_mentions_dropped=dropped,
        resolution="incremental" if incremental else "full",
        resolution_note=(summary.note or "none").replace(" ", "_"),
        entities=summary.entities,
        cases=len(book.cases),
        case_documents_added=added,
        case_documents_total=sum(len(c.documents) for c in book.cases.values()),
        kept=kept.replace(" ", "_"),
    )
    return laps


def make_accounts(grown: Grown, casework: Casework) -> None:
    """workbench.py's three accounts, on the demo's staff: an investigator on some cases, a supervisor, an overseer."""
    by_name = {s.name: s.id for s in casework.book().staff.values()}
    grown.staff = {
        "investigator": by_name[INVESTIGATOR],
        "supervisor": by_name[SUPERVISOR],
        "overseer": by_name[OVERSEER],
    }
    register = grown.register
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    grown.users = {
        role: accounts.create_user(role, PASSWORD, [role], staff_id=staff_id) for role, staff_id in grown.staff.items()
    }


def grow_cases(casework: Casework, wanted: int) -> int:
    """One case per complaint not yet in a case, as the demo opens them, until there are `wanted`.

    The demo builds its casework once (it returns at once when cases exist), so later steps open
    their cases here, the same way: a complainant party, the complaint, an allegation (the demo's
    category cues) against up to two officers the complaint names, assigned to the demo's
    independent investigators in turn (the bench's investigator, the first of them, gets a quarter)."""
    book = casework.book()
    missing = wanted - len(book.cases)
    if missing <= 0:
        return 0
    in_a_case = {d for c in book.cases.values() for d in c.documents}
    view = casework.entity_view()
    officers_in: dict[str, list[str]] = defaultdict(list)
    for ref in view.all_mentions():
        entity = view.entities.get(ref.entity_id)
        if entity is not None and entity.type == "officer" and ref.entity_id not in officers_in[ref.document_id]:
            officers_in[ref.document_id].append(ref.entity_id)
    team = [s for s in book.staff.values() if s.name in INDEPENDENT_STAFF]
    team.sort(key=lambda s: INDEPENDENT_STAFF.index(s.name))
    opened = 0
    for doc, status, _ in casework.store.documents.iter_documents():
        if opened >= missing:
            break
        if status != "active" or doc.kind.value != "complaint" or doc.id in in_a_case:
            continue
        case = casework.open_case(f"Complaint {doc.provenance.source_name}", DEMO_ACTOR)
        party = casework.add_party(case.id, PartyRole.COMPLAINANT, DEMO_ACTOR)
        casework.add_document(case.id, doc.id, DEMO_ACTOR, given_by=party.id)
        text = (casework.store.documents.get_text(doc.id) or "").casefold()
        category = next((code for code, cues in CATEGORY_CUES if any(c in text for c in cues)), "neglect_of_duty")
        allegation = casework.add_allegation(
            case.id, category, DEMO_ACTOR, summary=f"As set out in {doc.provenance.source_name}"
        )
        for entity_id in officers_in.get(doc.id, [])[:2]:
            casework.add_subject(allegation.id, DEMO_ACTOR, entity_id=entity_id)
        with suppress(CaseworkError):
            casework.assign(
                case.id, team[(len(book.cases) + opened) % len(team)].id, AssignmentRole.INVESTIGATOR, DEMO_ACTOR
            )
        opened += 1
    return opened


def pools_for(grown: Grown, step: int, seed: int, size: int) -> dict[str, dict[str, list[str]]]:
    """Per role: a sample of the ids that viewer may read (as the workbench computes it), and search terms."""
    casework = Casework(grown.register, grown.home.config())
    rng = random.Random(seed)
    surnames = sorted({m.surname for m in grown.inquiry.cast if m.surname and m.kind in ("officer", "suspect")})
    terms = rng.sample(surnames, min(size, len(surnames)))
    pools: dict[str, dict[str, list[str]]] = {}
    for role, user in grown.users.items():
        reach = sight_for(casework, user.id, user.username, user.roles, user.staff_id).reach
        found = {"documents": sorted(reach.documents), "entities": sorted(reach.entities), "cases": sorted(reach.cases)}
        say(step, **{f"reach_{role}_{kind}": len(ids) for kind, ids in found.items()})
        pools[role] = {kind: rng.sample(ids, min(size, len(ids))) for kind, ids in found.items()}
        pools[role]["terms"] = terms
    return pools


# -- the server -----------------------------------------------------------------------------------


def cpu_s(pids: set[int]) -> float:
    """User + system CPU seconds the processes have used (those still running)."""
    ticks = 0
    for pid in pids:
        with suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return ",".join(Path("/proc/loadavg").read_text().split()[:3])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    workers: set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(home: Home, key_file: Path, workers: int, log: Path) -> Server:
    port = served.free_port()
    env = dict(os.environ, **{ENV_KEY_FILE: str(key_file)})
    return Server(served.spawn_server(home.root, workers, port, log, env), port, log)


def wait_warm(server: Server, count: int, deadline_s: float) -> tuple[float, float]:
    """(seconds until /login first answered 200, seconds until every worker had answered one)."""
    started = time.perf_counter()
    deadline = time.monotonic() + deadline_s
    try:
        served.wait_until_serving(server.process, server.base, deadline_s, server.log)
    except served.NotServing as error:
        raise SystemExit(str(error)) from None
    first = time.perf_counter() - started
    if count == 1:  # `serve --workers 1` serves in its own process, warm before it listens
        server.workers = {server.process.pid}
        return first, first
    # A worker accepts connections only once its views are warm: open connections in parallel
    # until each worker has answered one.
    answered: set[int] = set()
    while True:
        server.workers = served.workers_of(server.process.pid)
        found: list[int | None] = []

        def probe() -> None:
            with httpx.Client(base_url=server.base, timeout=10) as client:
                response = client.get("/login")
                if response.status_code == 200:
                    found.append(served.worker_of(response, server.port, server.workers))

        threads = [threading.Thread(target=probe) for _ in range(2 * count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answered |= {pid for pid in found if pid is not None}
        if len(server.workers) >= count and answered >= server.workers:
            return first, time.perf_counter() - started
        if time.monotonic() > deadline:
            print(
                f"# only workers {sorted(answered)} of {sorted(server.workers)} answered in {deadline_s} s", flush=True
            )
            return first, float("nan")
        time.sleep(0.02)


def stop_server(server: Server) -> int | None:
    """SIGTERM, then the whole process group killed if it has not stopped; its exit code (None: killed)."""
    code = None
    with suppress(ProcessLookupError):
        server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(30)
    except subprocess.TimeoutExpired:
        pass
    served.kill_group(server.process)
    return code


def leftovers(pids: set[int]) -> list[int]:
    return sorted(pid for pid in pids if Path(f"/proc/{pid}").exists())


# -- the load -------------------------------------------------------------------------------------


@dataclass
class Sample:
    route: str
    role: str
    ms: float
    status: int


def sign_in(base: str, role: str) -> tuple[httpx.Client, float]:
    client = served.http_client(base, timeout=120)
    start = time.perf_counter()
    answer = served.sign_in(client, role, PASSWORD)
    seconds = time.perf_counter() - start
    if answer.status_code != 303:
        client.close()
        raise RuntimeError(f"sign-in as {role} answered {answer.status_code}")
    return client, seconds


def load(
    base: str, pools: dict[str, dict[str, list[str]]], users: int, requests: int, seed: int, workers: set[int]
) -> tuple[list[Sample], list[float], list[str], float, float]:
    """`users` threads, each signed in and then a bounded loop, all loops begun together. Returns the
    samples, sign-in seconds, errors, the loops' wall seconds and the CPU seconds the workers used in them."""
    samples: list[Sample] = []
    signins: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(users + 1)
    done = threading.Barrier(users + 1)

    def user(index: int) -> None:
        role = ROLES[index % len(ROLES)]
        rng = random.Random(seed * 1000 + index)
        client = None
        try:
            client, seconds = sign_in(base, role)
            with lock:
                signins.append(seconds)
        except Exception as error:  # noqa: BLE001 (reported, the other users go on)
            with lock:
                errors.append(f"signin:{role}:{error}")
        with suppress(threading.BrokenBarrierError):
            ready.wait(300)
        try:
            if client is None:
                return
            routes = [r for r in ROUTES_OF[role] if r.pool is None or pools[role][r.pool]]
            mine: list[Sample] = []
            for i in range(requests):
                route = routes[(index + i) % len(routes)]
                path = route.path.format(rng.choice(pools[role][route.pool])) if route.pool else route.path
                start = time.perf_counter()
                try:
                    status = client.get(path).status_code
                except httpx.HTTPError as error:
                    status = 0
                    with lock:
                        errors.append(f"{route.name}:{type(error).__name__}")
                mine.append(Sample(route.name, role, (time.perf_counter() - start) * 1e3, status))
            with lock:
                samples.extend(mine)
        finally:
            if client is not None:
                client.close()
            with suppress(threading.BrokenBarrierError):
                done.wait(600)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    ready.wait(300)
    start, cpu = time.perf_counter(), cpu_s(workers)
    done.wait(600)
    seconds, cpu = time.perf_counter() - start, cpu_s(workers) - cpu
    for thread in threads:
        thread.join(10)
    return samples, signins, errors, seconds, cpu


def solo(base: str, pools: dict[str, dict[str, list[str]]], count: int, seed: int) -> dict[str, list[float]]:
    """Ms per GET of each route, one client at a time and nothing else asking the server (before the
    load): the supervisor's routes, then the overseer's not measured yet; one untimed GET first."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {}
    for role in ("supervisor", "overseer"):
        client, _ = sign_in(base, role)
        try:
            for route in ROUTES_OF[role]:
                if route.name in times or (route.pool and not pools[role][route.pool]):
                    continue
                paths = [route.path.format(rng.choice(pools[role][route.pool])) if route.pool else route.path]
                paths += [
                    route.path.format(rng.choice(pools[role][route.pool])) if route.pool else route.path
                    for _ in range(count)
                ]
                client.get(paths[0])
                times[route.name] = []
                for path in paths[1:]:
                    start = time.perf_counter()
                    client.get(path)
                    times[route.name].append((time.perf_counter() - start) * 1e3)
        finally:
            client.close()
    return times


# -- one step -------------------------------------------------------------------------------------


@dataclass
class Measured:
    step: int
    start_first_s: float
    start_s: float
    rss_warm: list[float]
    rss_after: list[float]
    worst_route: str
    worst_p95_ms: float
    build_s: float
    met: str
    cpu_ms_per_request: float
    worst_solo_p95_ms: float


def measure(grown: Grown, step: int, where: Path, args: argparse.Namespace, build_s: float) -> Measured:
    pools = pools_for(grown, step, args.seed + step, args.pool)
    grown.register.store.close()  # the bench holds no connection while the server runs
    log = where / f"serve-{step}.log"
    server = start_server(grown.home, where / "home.kek", args.workers, log)
    seen: set[int] = {server.process.pid}
    try:
        first, warm = wait_warm(server, args.workers, args.start_deadline)
        seen |= server.workers
        rss_warm = [rss_mb(pid) for pid in sorted(server.workers)]
        say(
            step,
            documents=step,
            workers=len(server.workers),
            start_first_s=first,
            start_s=warm,
            rss_mb_per_worker_warm_max=max(rss_warm),
            rss_mb_per_worker_warm_mean=statistics.mean(rss_warm),
            rss_mb_server_parent=rss_mb(server.process.pid),
        )
        alone = solo(server.base, pools, args.solo, args.seed + step)
        load_before = loadavg()
        samples, signins, errors, seconds, cpu_used = load(
            server.base, pools, args.users, args.requests, args.seed + step, server.workers
        )
        load_after = loadavg()
        server.workers |= served.workers_of(server.process.pid) if args.workers > 1 else set()
        seen |= server.workers
        rss_after = [rss_mb(pid) for pid in sorted(server.workers) if Path(f"/proc/{pid}").exists()]
    except BaseException:
        stop_server(server)
        raise
    code = stop_server(server)
    text = log.read_text(errors="replace")
    say(
        step,
        server_exit=code if code is not None else "killed",
        server_log_tracebacks=text.count("Traceback"),
        leftover_processes=",".join(map(str, leftovers(seen))) or "none",
    )
    grown.register = Register.open(grown.home)

    by_route: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    for s in samples:
        if s.status == 200:
            by_route[s.route].append(s.ms)
        else:
            statuses[f"{s.route}:{s.role}:{s.status}"] += 1
    static_p95 = pct(by_route[STATIC], 0.95) if by_route[STATIC] else float("nan")
    say(
        step,
        users=args.users,
        requests_per_user=args.requests,
        requests=len(samples),
        load_s=seconds,
        requests_per_s=len(samples) / seconds if seconds else 0.0,
        workers_cpu_ms_per_request=cpu_used * 1e3 / max(1, len(samples)),
        loadavg_before=load_before,
        loadavg_after=load_after,
        signin_ms_p95=pct(signins, 0.95) * 1e3 if signins else float("nan"),
        non_200=",".join(f"{k}x{n}" for k, n in sorted(statuses.items())) or "none",
        errors=",".join(sorted(set(errors)))[:300] or "none",
    )
    worst = ("", 0.0)
    met = 0
    for route in sorted(by_route):
        times = by_route[route]
        if not times:
            continue  # a short run (a few requests per user) may not reach every route
        p95 = pct(times, 0.95)
        ok = p95 < TARGET_MS
        met += ok and route != STATIC
        if route != STATIC and p95 > worst[1]:
            worst = (route, p95)
        say(
            step,
            route=route,
            requests=len(times),
            p50_ms=statistics.median(times),
            p95_ms=p95,
            max_ms=max(times),
            ratio_to_static=p95 / static_p95,
            meets_150ms="yes" if ok else "no",
            solo_p50_ms=statistics.median(alone[route]) if alone.get(route) else float("nan"),
            solo_p95_ms=pct(alone[route], 0.95) if alone.get(route) else float("nan"),
        )
    routes = len([r for r in by_route if r != STATIC])
    say(
        step,
        rss_mb_per_worker_after_load_max=max(rss_after) if rss_after else float("nan"),
        rss_mb_per_worker_after_load_mean=statistics.mean(rss_after) if rss_after else float("nan"),
        worst_route=worst[0],
        worst_p95_ms=worst[1],
        routes_meeting_150ms=f"{met}/{routes}",
    )
    solo_p95 = [pct(v, 0.95) for k, v in alone.items() if k != STATIC and v]
    return Measured(
        step,
        first,
        warm,
        rss_warm,
        rss_after or [float("nan")],
        worst[0],
        worst[1],
        build_s,
        f"{met}/{routes}",
        cpu_used * 1e3 / max(1, len(samples)),
        max(solo_p95) if solo_p95 else float("nan"),
    )


# -- the summary ----------------------------------------------------------------------------------


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope); a single point gives a flat line through it."""
    if len(xs) < 2:
        return (ys[0] if ys else float("nan")), 0.0
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - slope * mx, slope


def summary(results: list[Measured]) -> None:
    print("# growth summary (measured)", flush=True)
    header = (
        f"# {'documents':>10} {'build_s':>8} {'start_s':>8} {'rss_warm_max_mb':>15} {'rss_after_max_mb':>16} "
        f"{'worst_p95_ms':>12} {'worst_route':<15} {'met':>5} {'cpu_ms_per_req':>14} {'worst_solo_p95_ms':>17}"
    )
    print(header)
    for r in results:
        print(
            f"# {r.step:>10} {r.build_s:>8.1f} {r.start_s:>8.2f} {max(r.rss_warm):>15.1f} {max(r.rss_after):>16.1f} "
            f"{r.worst_p95_ms:>12.1f} {r.worst_route:<15} {r.met:>5} {r.cpu_ms_per_request:>14.1f} "
            f"{r.worst_solo_p95_ms:>17.1f}"
        )
    xs = [float(r.step) for r in results]
    series = {
        "start_s": [r.start_s for r in results],
        "rss_mb_per_worker_max": [max(max(r.rss_warm), max(r.rss_after)) for r in results],
        "worst_p95_ms": [r.worst_p95_ms for r in results],
        "workers_cpu_ms_per_request": [r.cpu_ms_per_request for r in results],
        "worst_solo_p95_ms": [r.worst_solo_p95_ms for r in results],
    }
    print(
        f"# PROJECTION, not a measurement: a least-squares line through the {len(results)} steps measured "
        f"({', '.join(str(r.step) for r in results)} documents), extended far beyond them",
        flush=True,
    )
    for name, ys in series.items():
        intercept, slope = fit(xs, ys)
        projected = " ".join(f"projected_at_{n}={intercept + slope * n:.4g}" for n in PROJECT_TO)
        print(
            f"projection metric={name} intercept={intercept:.4g} per_1000_documents={slope * 1000:.4g} {projected}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="2000,5000,10000", help="documents at each step (default 2000,5000,10000)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated users (default 20)")
    parser.add_argument("--requests", type=int, default=30, help="GETs per user per step (default 30)")
    parser.add_argument("--solo", type=int, default=10, help="GETs per route, one at a time, before the load")
    parser.add_argument("--pool", type=int, default=200, help="ids sampled per kind and viewer (default 200)")
    parser.add_argument("--case-documents", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--incremental", action="store_true", help="resolve incrementally after the first step (default: full)"
    )
    parser.add_argument(
        "--database-url", help="postgresql://... an EMPTY database for the store (default: SQLite in the home)"
    )
    parser.add_argument("--start-deadline", type=float, default=600, help="seconds the server may take to start")
    parser.add_argument("--budget-minutes", type=float, default=35, help="start no step past this (default 35)")
    parser.add_argument("--keep", help="grow the inquiry in this (new or empty) directory and keep it")
    args = parser.parse_args()
    steps = sorted({int(s) for s in args.steps.split(",") if s.strip()})
    if args.database_url:
        os.environ[ENV_DATABASE_URL] = args.database_url  # the store is created there; the server inherits it
    else:
        os.environ.pop(ENV_DATABASE_URL, None)
    began = time.perf_counter()
    backend = "postgresql" if args.database_url else "sqlite"
    print(
        f"# casetrail growth bench: steps {steps}, {backend}, {args.workers} workers, {args.users} users x "
        f"{args.requests} requests; extraction = the generator's truth (no spaCy)",
        flush=True,
    )
    results: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="casetrail-growth-") as tmp:
        where = Path(args.keep) if args.keep else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        inquiry = generate_inquiry(steps[-1], seed=args.seed)
        print(f"generated_documents={steps[-1]} cast={len(inquiry.cast)} generate_s={time.perf_counter() - start:.3g}")
        home = encrypted_home(where / "home")
        grown = Grown(home, Register.create(home, "bench.example/growth"), inquiry)
        try:
            for step in steps:
                minutes = (time.perf_counter() - began) / 60
                if minutes > args.budget_minutes:
                    print(f"# stopped before step {step}: {minutes:.1f} min spent, budget {args.budget_minutes} min")
                    break
                laps = grow(grown, step, where, args)
                build_s = sum(laps.values())
                say(step, build_s=build_s, **{f"build_{k}_s": v for k, v in laps.items()})
                results.append(measure(grown, step, where, args, build_s))
        finally:
            grown.register.store.close()
        if results:
            summary(results)
    print(f"backend={backend} wall_s={time.perf_counter() - began:.0f}", flush=True)


if __name__ == "__main__":
    main()
