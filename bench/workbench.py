"""Workbench latency at scale: pages and the JSON API over a synthetic inquiry of N documents.

The inquiry goes through the real ledger (`Register.ingest`, every document a durable, receipted
leaf). Extraction is NOT spaCy: spaCy over 100,000 documents takes about half an hour, so the
generator's TRUE mentions are stored as the extraction (`TruthMention.to_mention` with the real
document ids, `store.analysis.add_mentions` + `mark_extracted` under the pipeline id "truth@1"), and then
the real resolution runs over them (`Analysis.resolve()` with a pipeline that names that
extractor). The casework is the demo's (`casetrail.demo.build_demo_casework`), through `Casework`,
so every change is a ledger event and the independence rules apply.

Three signed-in users, through `fastapi.testclient.TestClient` and the real sign-in form: an
investigator assigned to some of the cases (need-to-know), a supervisor (sees every case) and an
overseer (the only role that may open the oversight dashboard). Each route is timed over at least
`--requests` GETs with different ids (cycling when the viewer can read fewer), median and p95, and
p95 is also printed as a ratio to two baselines measured in the same run:
  - `static`: a TestClient GET of /static/style.css (the HTTP stack, middleware and client alone);
  - `store`:  `store.documents.get_document` + `store.documents.get_text` for the same document ids (the least a
    document page must read).
The target is p95 < 150 ms per route; `..._meets_target=yes|no`. One figure per line,
`name=value`, to diff across commits. Speed is never asserted in tests; this script only reports.

The inquiry is encrypted, as real stores are (bench/_keys.py: SQLCipher database, AES-256-GCM
objects). `--plaintext-too` also measures a plaintext copy of the same inquiry in the same run
(issue 12: encrypted against plaintext): the database exported with SQLCipher's `sqlcipher_export`
to an unkeyed file (the reverse of `casetrail encrypt`), the originals decrypted into plain object
files, no keyring, served by a second app in the same process. Each route is then timed on both,
request by request with the same ids, alternating which goes first, and
`{route}_{viewer}_plaintext_ms_p95` and `{route}_{viewer}_p95_ratio_encrypted_to_plaintext` are
printed beside the encrypted figures (whose names do not change).

    .venv/bin/python bench/workbench.py --quick                 # 5,000 documents
    .venv/bin/python bench/workbench.py                         # 100,000 documents
    .venv/bin/python bench/workbench.py --documents 20000 --max-cases 200 --budget 60
    .venv/bin/python bench/workbench.py --quick --profile case_page   # cProfile one request
    .venv/bin/python bench/workbench.py --keep /tmp/bench100k --plaintext-too   # and a plaintext copy

All people are fictional (casetrail.synthetic).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _keys import encrypted_home  # noqa: E402
from _timing import pct
from fastapi.testclient import TestClient

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.demo import OVERSEER, build_demo_casework
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register, Submission, iter_files, utc_now
from casetrail.model import Mention
from casetrail.model.casework import StaffRole
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.store.keys import KeyFileSource
from casetrail.store.sqlite import connect
from casetrail.synthetic.inquiry import (
    TRUTH_EXTRACTOR,
    Inquiry,
    generate_inquiry,
    write_corpus,
)
from casetrail.views.sight import sight_for
from casetrail.web.app import create_app

TARGET_MS = 150.0
EXPORT_TARGET_MS = 2000.0  # a case file of a 40-document case (issue 10)
PASSWORD = "a long bench passphrase, fictional"
INVESTIGATOR = "Owen Pryce"  # the demo's first independent investigator: assigned to about a quarter of the cases
SUPERVISOR = "Helen Marsh"  # registered here; the demo has no supervisor


def out(name: str, value: Any) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}={value}", flush=True)


class TruthExtractor:
    """Names the generator's truth as an extractor, so `Analysis.resolve` reads those mentions.

    It never runs: the mentions are stored directly (see `store_truth`)."""

    name, version = TRUTH_EXTRACTOR.split("@")

    def extract(self, document_id: str, text: str) -> list[Mention]:
        raise NotImplementedError("the truth is stored, not extracted")


# -- building -------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def lap(self, name: str) -> float:
        now = time.perf_counter()
        seconds, self.start = now - self.start, now
        out(f"build_{name}_s", seconds)
        return seconds


def ingest_corpus(register: Register, inquiry: Inquiry, folder: Path) -> dict[str, str]:
    """Write the inquiry's documents to `folder` and ingest them through the ledger; returns file
    name -> document id of each one recorded."""
    write_corpus(inquiry, folder)
    outcomes = register.ingest(iter_files([folder]), Submission("bench", "synthetic"), batch_size=256)
    return {Path(o.source).name: o.document_id for o in outcomes if o.status == "recorded" and o.document_id}


def store_truth(
    register: Register, inquiry: Inquiry, doc_of: dict[str, str], cast: dict[tuple[str, int], str] | None = None
) -> tuple[int, int]:
    """Store every true mention against its document; spans are re-found where intake's text differs.

    The .txt and .md files hold the generator's text exactly; intake's HTML reader can lay out a
    few .html documents differently, so a mention whose span does not hold its text is looked for
    nearby (in order, carrying the shift forward) and dropped only if it is not there. With `cast`,
    each stored mention of a cast member is noted there: (document id, start) -> cast id.
    Returns (stored, dropped)."""
    store, stored, dropped, batch = register.store, 0, 0, 2000
    pending: list[Mention] = []
    done: list[str] = []

    def flush() -> None:
        with store.transaction():
            store.analysis.add_mentions(pending)
            store.analysis.mark_extracted(done, TRUTH_EXTRACTOR, utc_now())
        pending.clear()
        done.clear()

    for statement in inquiry.statements:
        doc_id = doc_of.get(statement.doc)
        if doc_id is None:
            continue
        text = store.documents.get_text(doc_id) or ""
        shift = 0
        for truth in sorted(statement.mentions, key=lambda m: m.start):
            start = truth.start + shift
            if text[start : start + len(truth.text)] != truth.text:
                found = text.find(truth.text, max(0, start - 64), start + len(truth.text) + 512)
                if found < 0:
                    dropped += 1
                    continue
                shift = found - truth.start
            mention = truth.to_mention(doc_id)
            pending.append(
                Mention(
                    doc_id,
                    truth.start + shift,
                    truth.end + shift,
                    mention.text,
                    mention.type,
                    mention.extractor,
                    mention.confidence,
                    mention.attributes,
                )
            )
            stored += 1
            if cast is not None and truth.cast_id:
                cast[(doc_id, truth.start + shift)] = truth.cast_id
        done.append(doc_id)
        if len(done) >= batch:
            flush()
    flush()
    return stored, dropped


@dataclass
class World:
    register: Register
    casework: Casework
    clients: dict[str, TestClient]
    staff: dict[str, str]  # user name -> staff id
    users: dict[str, Any]
    home: Home


def build(tmp: Path, documents: int, max_cases: int, seed: int) -> World:
    """Build the inquiry in `tmp`, or reuse one an earlier run built there with the same arguments."""
    marker = tmp / "built.json"
    wanted = {"documents": documents, "max_cases": max_cases, "seed": seed}
    if marker.exists() and json.loads(marker.read_text())["arguments"] == wanted:
        print(f"reused={tmp}  # built by an earlier run with the same arguments", flush=True)
        built = json.loads(marker.read_text())
        home = Home(tmp / "home", key_source=KeyFileSource(tmp / "home.kek"))  # the reused store's key file
        return open_world(home, built["staff"], built["users"])
    clock = Clock()
    inquiry = generate_inquiry(documents, seed=seed)
    out("documents", documents)
    out("cast", len(inquiry.cast))
    clock.lap("generate")
    corpus = tmp / "corpus"
    write_corpus(inquiry, corpus)
    clock.lap("write_corpus")

    home = encrypted_home(tmp / "home")
    register = Register.create(home, "bench.example/workbench")
    outcomes = register.ingest(iter_files([corpus]), Submission("bench", "synthetic"), batch_size=256)
    seconds = clock.lap("ingest")
    doc_of = {Path(o.source).name: o.document_id for o in outcomes if o.status == "recorded" and o.document_id}
    out("ingest_recorded", len(doc_of))
    out("ingest_docs_per_s", len(doc_of) / seconds)

    print(
        "extraction=generator_truth  # spaCy not run: the generator's true mentions are stored as the "
        "extraction (pipeline truth@1); resolution below is the real Analysis.resolve()",
        flush=True,
    )
    stored, dropped = store_truth(register, inquiry, doc_of)
    out("truth_mentions_stored", stored)
    out("truth_mentions_dropped", dropped)
    clock.lap("store_truth")
    summary = Analysis(register, ExtractionPipeline([TruthExtractor()])).resolve()
    out("entities", summary.entities)
    out("entities_by_type", ",".join(f"{k}:{v}" for k, v in sorted(summary.by_type.items())))
    clock.lap("resolve")

    casework = Casework(register, home.config())
    demo = build_demo_casework(casework, max_cases=max_cases)
    out("cases", len(demo.cases))
    out("assignments", demo.assignments)
    out("refusals", demo.refusals)
    out("intelligence", demo.intelligence)
    out("escalations", demo.escalations)
    out("alerts", demo.alerts)
    clock.lap("casework")

    book = casework.book()
    by_name = {s.name: s.id for s in book.staff.values()}
    supervisor = casework.register_staff(
        SUPERVISOR, "bench", force="Independent Office for Police Conduct", roles=(StaffRole.SUPERVISOR,)
    )
    staff = {"investigator": by_name[INVESTIGATOR], "supervisor": supervisor.id, "overseer": by_name[OVERSEER]}
    roles = {"investigator": ["investigator"], "supervisor": ["supervisor"], "overseer": ["overseer"]}
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    users = {
        name: accounts.create_user(name, PASSWORD, roles[name], staff_id=staff_id) for name, staff_id in staff.items()
    }
    clients = sign_in(home, list(users))
    clock.lap("users_and_sign_in")
    marker.write_text(json.dumps({"arguments": wanted, "staff": staff, "users": list(users)}))
    return World(register, Casework(register, home.config()), clients, staff, users, home)


def open_world(home: Home, staff: dict[str, str], names: Sequence[str]) -> World:
    """An inquiry already built: its register, casework, users and one signed-in client per user."""
    register = Register.open(home)
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    users = {name: found for name in names if (found := accounts.user_by_name(name)) is not None}
    return World(register, Casework(register, home.config()), sign_in(home, names), staff, users, home)


def plaintext_copy(world: World, root: Path) -> tuple[World, float]:
    """The same inquiry in a plaintext home at `root` (made afresh), and the seconds it took.

    The database: `sqlcipher_export` from the encrypted one into an unkeyed file (the reverse of
    `casetrail encrypt`'s export), schema version kept. The originals: each decrypted into a plain
    object file named by its SHA-256, as a plaintext store keeps them (the case-file export reads
    them). The log's keys, settings and latest checkpoint are copied; there is no keyring."""
    start = time.perf_counter()
    source = world.home
    shutil.rmtree(root, ignore_errors=True)
    (root / "keys").mkdir(parents=True)
    for part in (source.signer_path, source.verifier_path):
        shutil.copy2(part, root / "keys" / part.name)
    for part in (source.config_path, source.checkpoint_path):
        if part.exists():
            shutil.copy2(part, root / part.name)
    key = source.sqlcipher_key()
    if key is None:
        raise SystemExit(f"--plaintext-too: {source.root} is not encrypted")
    conn = connect(source.db_path, key)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(root / "casetrail.db"),))
        conn.execute("SELECT sqlcipher_export('plaintext')")
        conn.execute(f"PRAGMA plaintext.user_version = {version}")
        conn.execute("DETACH DATABASE plaintext")
    finally:
        conn.close()
    with open(root / "casetrail.db", "rb") as handle:
        if handle.read(16) != b"SQLite format 3\0":
            raise SystemExit(f"--plaintext-too: {root / 'casetrail.db'} is not a plaintext SQLite file")
    objects = world.register.objects
    copied = 0
    for sha in list(objects.iter_hashes()):
        data = objects.get(sha)
        if data is None:  # sealed: its key is gone, and a plaintext store would not hold it either
            continue
        target = root / "objects" / sha[:2] / sha[2:]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        copied += 1
    plain = Home(root)
    if plain.encrypted():
        raise SystemExit(f"--plaintext-too: {root} has a keyring")
    out("plaintext_copy_objects", copied)
    copy = open_world(plain, world.staff, list(world.users))
    if copy.register.store.encrypted:
        raise SystemExit("--plaintext-too: the copy opened as an encrypted store")
    return copy, time.perf_counter() - start


def sign_in(home: Home, names: Sequence[str]) -> dict[str, TestClient]:
    """One signed-in client per user, all on one app: the app lives as long as the run."""
    app = create_app(home, secure_cookies=False)
    clients = {}
    for name in names:
        client = TestClient(app, headers={"Origin": "http://testserver"})
        signed = client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
        if signed.status_code != 303 or signed.headers.get("location") != "/":
            raise SystemExit(f"{name} could not sign in: {signed.status_code} {signed.text[:200]}")
        clients[name] = client
    return clients


class Profiled:
    """An ASGI wrapper that cProfiles each request on the thread that serves it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.profiler = cProfile.Profile()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.profiler.enable()
        try:
            await self.app(scope, receive, send)
        finally:
            self.profiler.disable()


# -- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # with {} for the id, or none
    ids: str | None  # "documents", "entities", "cases" or None
    viewers: tuple[str, ...]


ROUTES = (
    Route("document_page", "/documents/{}", "documents", ("supervisor", "investigator")),
    Route("document_api", "/api/documents/{}", "documents", ("supervisor", "investigator")),
    Route("entity_page", "/entities/{}", "entities", ("supervisor", "investigator")),
    Route("entity_api", "/api/entities/{}", "entities", ("supervisor", "investigator")),
    Route("case_page", "/cases/{}", "cases", ("supervisor", "investigator")),
    Route("case_api", "/api/cases/{}", "cases", ("supervisor", "investigator")),
    # Only the overseer may open the dashboard; the others get 404, which costs a session too.
    Route("oversight_page", "/oversight", None, ("overseer",)),
    Route("oversight_api", "/api/oversight", None, ("overseer",)),
    # The case file: the supervisor's view of the case, every event's proof, each document's receipt and bytes.
    Route("case_export", "/api/cases/{}/export?reason=bench", "cases", ("supervisor",)),
)


def target(route: str) -> float:
    return EXPORT_TARGET_MS if route == "case_export" else TARGET_MS


def gather_documents(world: World, per_case: int, seed: int) -> int:
    """Give each case up to `per_case` more documents naming its subjects, as an investigator gathers them.

    The demo opens each case on one complaint; a real case holds many documents, and need-to-know,
    links and corroboration all cost more with them. Idempotent: a reused inquiry is topped up."""
    casework, rng, added = world.casework, random.Random(seed), 0
    book, view = casework.book(), casework.entity_view()
    for cid, case in list(book.cases.items()):
        want = per_case + 1 - len(case.documents)
        named = sorted(
            {
                d
                for s in book.case_subjects(cid)
                for e in view.current(s.entity)
                for d in view.entity_documents.get(e, ())
            }
            - set(case.documents)
        )
        if want <= 0 or not named:
            continue
        picks = rng.sample(named, min(want, len(named)))
        casework.add_documents(cid, picks, "bench")
        added += len(picks)
    return added


def first_request_ms(client: TestClient, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return (time.perf_counter() - start) * 1e3


def paired(fns: dict[str, Any], reps: int, budget: float, least: int) -> dict[str, list[float]]:
    """Seconds per call of each fn(i), the same i on each in turn, alternating which goes first
    (drift and the other processes on the machine then fall on both); `repeat`'s budget rule."""
    labels = list(fns)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    spent = 0.0
    for i in range(reps):
        for label in labels if i % 2 == 0 else labels[::-1]:
            start = time.perf_counter()
            fns[label](i)
            samples[label].append(time.perf_counter() - start)
            spent += samples[label][-1]
        if spent > budget * len(labels) and len(samples[labels[0]]) >= least:
            break
    return samples


def static_get(world: World) -> Any:
    client = world.clients["supervisor"]
    return lambda i: client.get("/static/style.css")


def store_read(world: World, doc_ids: list[str]) -> Any:
    store = world.register.store

    def read(i: int) -> None:
        doc_id = doc_ids[i % len(doc_ids)]
        store.documents.get_document(doc_id)
        store.documents.get_text(doc_id)

    return read


def readable_ids(world: World, viewer: str, requests: int, seed: int) -> dict[str, list[str]]:
    """Ids of each kind this viewer may read (as the workbench computes it), a random sample."""
    user = world.users[viewer]
    session = sight_for(world.casework, user.id, user.username, user.roles, user.staff_id)
    rng = random.Random(seed)
    pools = {
        "documents": sorted(session.reach.documents),
        "entities": sorted(session.reach.entities),
        "cases": sorted(session.reach.cases),
    }
    for kind, pool in pools.items():
        out(f"reach_{viewer}_{kind}", len(pool))
    return {kind: rng.sample(pool, min(len(pool), requests)) for kind, pool in pools.items()}


def run(args: argparse.Namespace) -> None:
    print(f"# casetrail workbench bench: {args.documents} documents, up to {args.max_cases} cases", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.keep) if args.keep else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        world = build(where, args.documents, args.max_cases, args.seed)
        clock = Clock()
        out("case_documents_added", gather_documents(world, args.case_documents, args.seed))
        clock.lap("gather_case_documents")
        worlds = {"encrypted": world}
        if args.plaintext_too:
            copy, seconds = plaintext_copy(world, where / "plaintext-copy" / "home")
            worlds["plaintext"] = copy
            out("plaintext_copy_s", seconds)
            print(
                "plaintext_copy=sqlcipher_export  # the same inquiry, database exported unkeyed, originals decrypted "
                "into plain object files, no keyring; a second app in this process; same routes, same ids, "
                "alternating which store is asked first",
                flush=True,
            )
        book = world.casework.book()
        out("case_documents_total", sum(len(c.documents) for c in book.cases.values()))
        # The app has not read anything yet: its first page loads the entity view and indexes.
        first_case = sorted(book.cases)[0]
        cold = {label: first_request_ms(w.clients["supervisor"], f"/cases/{first_case}") for label, w in worlds.items()}
        out("cold_first_case_page_ms", cold["encrypted"])
        if "plaintext" in cold:
            out("cold_first_case_page_plaintext_ms", cold["plaintext"])
            out("cold_first_case_page_ratio_encrypted_to_plaintext", cold["encrypted"] / cold["plaintext"])
        ids = {
            viewer: readable_ids(world, viewer, args.requests, args.seed) for viewer in ("supervisor", "investigator")
        }
        store = world.register.store

        # Baselines, in the same run (on each store). Warm first.
        for w in worlds.values():
            w.clients["supervisor"].get("/static/style.css")
        base_static = {
            label: statistics.median(samples)
            for label, samples in paired(
                {label: static_get(w) for label, w in worlds.items()}, args.requests, 1e9, 1
            ).items()
        }
        doc_ids = (
            ids["supervisor"]["documents"] or [d.id for d, _, _ in store.documents.iter_documents()][: args.requests]
        )
        base_store = {
            label: statistics.median(samples)
            for label, samples in paired(
                {label: store_read(w, doc_ids) for label, w in worlds.items()}, args.requests, 1e9, 1
            ).items()
        }
        out("baseline_static_get_ms_median", base_static["encrypted"] * 1e3)
        out("baseline_store_read_ms_median", base_store["encrypted"] * 1e3)
        if args.plaintext_too:
            out("baseline_static_get_plaintext_ms_median", base_static["plaintext"] * 1e3)
            out("baseline_store_read_plaintext_ms_median", base_store["plaintext"] * 1e3)
            out("baseline_store_read_ratio_encrypted_to_plaintext", base_store["encrypted"] / base_store["plaintext"])

        results: list[tuple[str, str, float, float]] = []
        compared: list[tuple[str, float, float]] = []  # (route_viewer, encrypted p95, plaintext p95)
        failures: Counter[str] = Counter()
        for route in ROUTES:
            for viewer in route.viewers:
                if args.only and route.name not in args.only:
                    continue
                pool = ids[viewer][route.ids] if route.ids else [""]
                key = f"{route.name}_{viewer}"
                if not pool:
                    out(f"{key}_skipped", "no_readable_ids")
                    continue

                def getter(label: str, client: TestClient, route: Route = route, pool: list[str] = pool) -> Any:
                    name = key if label == "encrypted" else f"{key}_{label}"

                    def get(i: int) -> None:
                        response = client.get(route.path.format(pool[i % len(pool)]))
                        if response.status_code != 200:
                            failures[f"{name}:{response.status_code}"] += 1

                    return get

                gets = {label: getter(label, w.clients[viewer]) for label, w in worlds.items()}
                if args.warm:
                    for get in gets.values():
                        get(0)  # warm: templates compiled, caches filled
                timed = paired(gets, args.requests, args.budget, args.least)
                samples = timed["encrypted"]
                med, p95 = statistics.median(samples), pct(samples, 0.95)
                results.append((key, route.name, med, p95))
                out(f"{key}_requests", len(samples))
                out(f"{key}_distinct_ids", min(len(pool), len(samples)))
                out(f"{key}_ms_median", med * 1e3)
                out(f"{key}_ms_p95", p95 * 1e3)
                out(f"{key}_p95_ratio_static", p95 / base_static["encrypted"])
                out(f"{key}_p95_ratio_store", p95 / base_store["encrypted"])
                out(f"{key}_meets_target", "yes" if p95 * 1e3 < target(route.name) else "no")
                if "plaintext" in timed:
                    plain = timed["plaintext"]
                    plain_p95 = pct(plain, 0.95)
                    compared.append((key, p95, plain_p95))
                    out(f"{key}_plaintext_ms_median", statistics.median(plain) * 1e3)
                    out(f"{key}_plaintext_ms_p95", plain_p95 * 1e3)
                    out(f"{key}_median_ratio_encrypted_to_plaintext", med / statistics.median(plain))
                    out(f"{key}_p95_ratio_encrypted_to_plaintext", p95 / plain_p95)
        if compared:
            ratios = [enc / plain for _, enc, plain in compared]
            out("p95_ratio_encrypted_to_plaintext_median", statistics.median(ratios))
            out("p95_ratio_encrypted_to_plaintext_max", max(ratios))
            worst = max(compared, key=lambda c: c[1] / c[2])
            out("p95_ratio_encrypted_to_plaintext_max_route", worst[0])
        out("target_ms_p95", TARGET_MS)
        out("export_target_ms_p95", EXPORT_TARGET_MS)
        met = sum(p95 * 1e3 < target(name) for _, name, _, p95 in results)
        out("routes_meeting_target", f"{met}/{len(results)}")
        out("non_200_responses", ",".join(f"{k}x{n}" for k, n in sorted(failures.items())) or "none")
        audited = store.conn.execute("SELECT COUNT(*) FROM casework_events WHERE type = 'read.audited'").fetchone()[0]
        out("read_audit_events", int(audited))

        profile = args.profile
        if profile == "auto":
            slow = [r for r in results if r[3] * 1e3 >= target(r[1])]
            profile = max(slow, key=lambda r: r[3])[0] if slow else None
        if profile:
            profile_one(world, ids, [r[0] for r in results], profile, args.profile_lines)

        # The heaviest entity page: the readable entity named in the most documents (in the synthetic
        # inquiry, an officer named in most of them). The sampled routes above rarely draw it.
        view = world.casework.entity_view()
        user = world.users["supervisor"]
        reach = sight_for(world.casework, user.id, user.username, user.roles, user.staff_id).reach
        busiest = max(reach.entities, key=lambda e: len(view.entity_documents.get(e, ())))
        out("busiest_entity_documents", len(view.entity_documents.get(busiest, ())))
        heavy = [first_request_ms(world.clients["supervisor"], f"/entities/{busiest}") for _ in range(5)]
        out("busiest_entity_page_ms_median", statistics.median(heavy))
        out("busiest_entity_page_ms_max", max(heavy))

        # After a change another process made, the first request recomputes what depends on it.
        supervisor = world.clients["supervisor"]
        entity = ids["supervisor"]["entities"][0]
        world.casework.raise_action(
            "Bench: re-interview", world.staff["investigator"], "2030-01-01", "bench", case_id=first_case
        )
        out("after_casework_change_first_case_page_ms", first_request_ms(supervisor, f"/cases/{first_case}"))
        out("after_casework_change_next_case_page_ms", first_request_ms(supervisor, f"/cases/{first_case}"))
        upload = Path(where) / "bench-upload.txt"
        upload.write_text(f"A statement recorded during the bench at {utc_now()}.\n", encoding="utf-8")
        world.register.ingest([upload], Submission("bench", "synthetic"))
        out("after_upload_first_entity_page_ms", first_request_ms(supervisor, f"/entities/{entity}"))
        out("after_upload_next_entity_page_ms", first_request_ms(supervisor, f"/entities/{entity}"))
        for w in worlds.values():
            w.register.store.close()


def profile_one(world: World, ids: dict[str, dict[str, list[str]]], measured: list[str], name: str, lines: int) -> None:
    """cProfile one request of a measured route (`name` is a route, or route_viewer) and print the top costs."""
    key = next((k for k in measured if k == name or k.startswith(name + "_")), None)
    route = next((r for r in ROUTES if key is not None and key.startswith(r.name + "_")), None)
    if key is None or route is None:
        raise SystemExit(f"--profile {name}: no such measured route")
    viewer = key[len(route.name) + 1 :]
    pool = (ids.get(viewer, {}).get(route.ids) or [""]) if route.ids else [""]
    path = route.path.format(pool[-1])
    # TestClient runs the app on another thread: profile there, around the app itself.
    profiled = Profiled(world.clients[viewer].app)
    client = TestClient(profiled, cookies=dict(world.clients[viewer].cookies), headers={"Origin": "http://testserver"})
    out(f"profile_{key}_status", client.get(path).status_code)
    # by cumulative time, casetrail's own functions only (the framework's frames wrap them all); by own time, everything
    for order, only in (("cumulative", "/casetrail/"), ("tottime", "")):
        text = io.StringIO()
        pstats.Stats(profiled.profiler, stream=text).sort_stats(order).print_stats(only, lines)
        print(f"# cProfile of one GET {route.path} as the {viewer}, by {order}")
        print("\n".join("# " + line for line in text.getvalue().splitlines() if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=None, help="documents in the inquiry (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 documents")
    parser.add_argument(
        "--max-cases", type=int, default=None, help="cases the demo opens (default: documents/50, between 25 and 500)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--case-documents",
        type=int,
        default=40,
        help="documents each case gathers beyond its complaint: others naming its subjects (default 40)",
    )
    parser.add_argument("--requests", type=int, default=50, help="GETs per route and viewer (default 50)")
    parser.add_argument(
        "--budget",
        type=float,
        default=1e9,
        help="seconds per route and viewer; past it, stop once --least requests are done",
    )
    parser.add_argument("--least", type=int, default=10)
    parser.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="skip the untimed first request per route (when each request takes seconds)",
    )
    parser.add_argument("--only", nargs="*", help="measure only these routes (e.g. case_page oversight_api)")
    parser.add_argument(
        "--profile",
        default="auto",
        help="route (or route_viewer) to cProfile one request of; 'auto' = the slowest that misses "
        "the target; 'none' = no profile",
    )
    parser.add_argument(
        "--keep",
        help="build the inquiry in this directory and keep it; a later run with the same "
        "arguments reuses it (building 100,000 documents takes a while)",
    )
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument(
        "--plaintext-too",
        action="store_true",
        help="also measure a plaintext copy of the same inquiry (sqlcipher_export), request by request, and print "
        "per-route p95 encrypted against plaintext (issue 12)",
    )
    args = parser.parse_args()
    args.documents = args.documents or (5000 if args.quick else 100_000)
    args.max_cases = args.max_cases or max(25, min(500, args.documents // 50))
    args.profile = None if args.profile == "none" else args.profile
    run(args)


if __name__ == "__main__":
    main()
