"""Casework at scale on a synthetic inquiry: building the case book, then reading and checking it.

One case per ~5 documents (200 cases for 1,000 statements), each with a complainant, its
documents, one or two allegations whose subjects are officers and people its documents name (and,
now and then, an officer described but not named); 50 members of staff, some of them namesakes
of officers in the corpus or from the same forces, so that the independence check refuses some
assignments; intelligence items and actions whose deadlines have passed.

Every casework write replays the book, so the build reports how the cost of one write grows with
the number of events already recorded. Then each call is timed, median and p95 over repeated
calls, and printed as a ratio to a baseline measured in the same run (the machine is noisy):
`json.loads` of every casework ledger entry, the least any replay must do. SHA-256 of the same
entries is printed too. One figure per line, `name=value`, to diff across commits.

    .venv/bin/python bench/casework.py                      # 1,000 statements, ~200 cases
    .venv/bin/python bench/casework.py --statements 200     # quick
    .venv/bin/python bench/casework.py --quick              # 200 statements, fewer repetitions
    .venv/bin/python bench/casework.py --profile links      # and cProfile one call of an operation

All people are fictional (casetrail.synthetic).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from _keys import encrypted_home  # noqa: E402
from _timing import pct, repeat

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.casework.presentation import case_json
from casetrail.errors import CasetrailError
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.verification import verify_store
from casetrail.model.casework import (
    AssignmentRole,
    CaseKind,
    Description,
    PartyRole,
    Period,
    StaffRole,
)
from casetrail.policy.independence import check
from casetrail.store.home import Home
from casetrail.synthetic import names as N
from casetrail.synthetic.inquiry import CastMember, generate_inquiry, write_corpus

BY = "bench"
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # every deadline below has passed by then
DOCS_PER_CASE = 5
STAFF = 50
CATEGORIES = (
    "abuse_of_position_sexual",
    "sexual_assault",
    "neglect_of_duty",
    "failure_to_act_on_intelligence",
    "corrupt_relationship",
    "intimidation",
    "failure_to_record_crime",
    "discreditable_conduct",
)
OUTSIDE_FORCES = ("Independent Office for Police Conduct", "Elsewhere Constabulary", "Far Shire Police")
RANKS = ("PC", "Sergeant", "DC", "DS", "Inspector")
ROLES = ("uniformed officer", "custody sergeant", "driver", "plain-clothes officer")
PHYSICAL = (
    "tall, slim, tattoo of an anchor on his left forearm",
    "short, stocky, glasses, grey beard",
    "about 6ft, scar above right eye",
    "medium build, shaved head",
    "ginger hair, freckles",
)


def out(name: str, value: Any) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}={value}", flush=True)


class Timings:
    """Per-operation samples, printed as ms and as a ratio to the baseline."""

    def __init__(self, baseline: float) -> None:
        self.baseline = baseline

    def report(self, name: str, samples: list[float]) -> None:
        med, p95 = statistics.median(samples), pct(samples, 0.95)
        out(f"{name}_calls", len(samples))
        out(f"{name}_ms_median", med * 1e3)
        out(f"{name}_ms_p95", p95 * 1e3)
        out(f"{name}_ratio_median", med / self.baseline)
        out(f"{name}_ratio_p95", p95 / self.baseline)


# -- setting up -----------------------------------------------------------------------------------


def make_register(tmp: Path) -> tuple[Register, Home]:
    home = encrypted_home(tmp / "home")
    return Register.create(home, "bench.example/casework"), home


class Counting:
    """Wraps Casework.book on one instance to count replays and the time they take."""

    def __init__(self, casework: Casework) -> None:
        self.calls, self.seconds = 0, 0.0
        original = casework.book

        def book():  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return original()
            finally:
                self.calls += 1
                self.seconds += time.perf_counter() - start

        casework.book = book  # type: ignore[method-assign]
        self._restore = lambda: delattr(casework, "book")

    def restore(self) -> None:
        self._restore()


class Writes:
    """Times every casework write with the number of events recorded before and by it."""

    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.rows: list[tuple[str, int, int, float]] = []  # (operation, events before, events added, seconds)
        self.errors: Counter[str] = Counter()

    def events(self) -> int:
        return int(self.casework.store.conn.execute("SELECT COUNT(*) FROM casework_events").fetchone()[0])

    def __call__(self, op: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        before = self.events()
        start = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except CasetrailError as error:
            self.errors[op] += 1
            print(f"# {op} refused: {error}")
            return None
        seconds = time.perf_counter() - start
        self.rows.append((op, before, self.events() - before, seconds))
        return result


def fictional_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        given = rng.choice(N.MALE_GIVEN + N.FEMALE_GIVEN)
        name = f"{given} {rng.choice(N.SURNAMES)}"
        if name not in taken:
            taken.add(name)
            return name


def register_staff(write: Writes, cw: Casework, officers: list[CastMember], rng: random.Random) -> dict[str, list[str]]:
    """50 staff: namesakes of corpus officers, same-force staff, outsiders, supervisors, overseers."""
    groups: dict[str, list[str]] = defaultdict(list)
    taken = {o.full_name for o in officers}
    plan: list[tuple[str, dict[str, Any]]] = []
    for o in officers[:8]:  # the officer himself, as the investigating body knows him: refused where named
        plan.append(("namesake", {"name": o.full_name, "force": o.force, "collar_number": o.collar_number}))
    for o in officers[8:11]:  # initial and surname only: may be the officer, so refused on the safe side
        initial = (o.given_name or "X")[0]
        plan.append(("initial_only", {"name": f"{initial}. {o.surname}", "force": OUTSIDE_FORCES[1]}))
    for i in range(12):  # other officers of the corpus's forces: refused wherever a subject serves there
        plan.append(
            (
                "same_force",
                {"name": fictional_name(rng, taken), "force": N.FORCES[i % len(N.FORCES)], "unit": N.UNITS[i % 4]},
            )
        )
    for i in range(3):
        plan.append(
            (
                "supervisor",
                {"name": fictional_name(rng, taken), "force": OUTSIDE_FORCES[i % 3], "roles": (StaffRole.SUPERVISOR,)},
            )
        )
    for i in range(2):
        plan.append(
            (
                "overseer",
                {"name": fictional_name(rng, taken), "force": OUTSIDE_FORCES[0], "roles": (StaffRole.OVERSEER,)},
            )
        )
    while len(plan) < STAFF:
        plan.append(("outsider", {"name": fictional_name(rng, taken), "force": OUTSIDE_FORCES[len(plan) % 3]}))
    for group, kwargs in plan:
        staff = write("register_staff", cw.register_staff, by=BY, **kwargs)
        if staff is not None:
            groups[group].append(staff.id)
    return groups


def unknown_pool(rng: random.Random, size: int = 12) -> list[Description]:
    """Officers complainants describe but cannot name; each may turn up in several cases."""
    pool = []
    for i in range(size):
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXY") for _ in range(3))
        plate = f"{rng.choice('LMNPRST')}{rng.randint(100, 999)} {letters}"
        start = rng.randint(1995, 2012)
        pool.append(
            Description(
                force=N.FORCES[i % len(N.FORCES)],
                rank=RANKS[i % len(RANKS)],
                role=ROLES[i % len(ROLES)],
                vehicle=f"{rng.choice(N.COLOURS)} car, {plate}",
                place=rng.choice(N.PLACES),
                period=Period(str(start), str(start + rng.randint(0, 4))),
                physical=PHYSICAL[i % len(PHYSICAL)],
            )
        )
    return pool


def partial(d: Description, rng: random.Random) -> Description:
    """A second account of the same officer: part of the plate, fewer details."""
    plate = (d.vehicle or "").split(", ")[-1]
    return Description(
        force=d.force,
        rank=d.rank if rng.random() < 0.7 else None,
        role=d.role,
        vehicle=f"car, {plate[:4]}..." if rng.random() < 0.6 else None,
        place=d.place,
        period=d.period,
        physical=d.physical if rng.random() < 0.5 else None,
    )


def build(cw: Casework, inquiry: Any, doc_of: dict[str, str], rng: random.Random, assign_cases: int) -> dict[str, Any]:
    """The case book; returns what the measurements need."""
    write = Writes(cw)
    counting = Counting(cw)
    start = time.perf_counter()
    officers = [m for m in inquiry.cast if m.kind == "officer"]
    staff = register_staff(write, cw, officers, rng)

    view = cw.entity_view()
    mentions_of: dict[str, list[str]] = defaultdict(list)
    for m in view.all_mentions():
        mentions_of[m.document_id].append(m.entity_id)
    statements = {s.doc: s for s in inquiry.statements}
    documents = [(doc_of[s.doc], s) for s in inquiry.statements if s.doc in doc_of]
    pool = unknown_pool(rng)
    case_ids: list[str] = []
    intel_ids: list[tuple[str, str]] = []  # (intelligence id, case id)
    subject_kinds: Counter[str] = Counter()
    for n in range(0, len(documents), DOCS_PER_CASE):
        chunk = documents[n : n + DOCS_PER_CASE]
        kind = CaseKind.COMPLAINT if n % 3 else CaseKind.INVESTIGATION
        case = write("open_case", cw.open_case, f"Synthetic case {n // DOCS_PER_CASE + 1}", BY, kind)
        case_ids.append(case.id)
        named = Counter(e for doc_id, _ in chunk for e in mentions_of[doc_id])
        pseudonyms = [e for e, _ in named.most_common() if view.entities[e].attributes.get("pseudonym")]
        party = write(
            "add_party",
            cw.add_party,
            case.id,
            PartyRole.COMPLAINANT,
            BY,
            entity_id=pseudonyms[0] if pseudonyms else None,
        )
        for i, (doc_id, statement) in enumerate(chunk):
            # The complainant gave the first document: one account, whatever else it is filed with.
            write("add_document", cw.add_document, case.id, doc_id, BY, given_by=party.id if i == 0 else None)
        by_type = defaultdict(list)
        for e, _ in named.most_common():
            by_type[view.entities[e].type].append(e)
        first = statements[chunk[0][1].doc]
        allegation = write(
            "add_allegation",
            cw.add_allegation,
            case.id,
            CATEGORIES[n % len(CATEGORIES)],
            BY,
            summary=f"as described in {chunk[0][1].doc}",
            period=Period(first.date[:4], first.date[:4]),
        )
        for e in by_type["officer"][:2]:
            write("add_subject", cw.add_subject, allegation.id, BY, entity_id=e)
            subject_kinds["officer"] += 1
        if (n // DOCS_PER_CASE) % 3 == 0:  # an officer nobody could name
            d = pool[rng.randrange(len(pool))]
            described = d if rng.random() < 0.5 else partial(d, rng)
            write("add_subject", cw.add_subject, allegation.id, BY, unknown=described)
            subject_kinds["unknown"] += 1
        if (n // DOCS_PER_CASE) % 2 == 0:
            second = write("add_allegation", cw.add_allegation, case.id, CATEGORIES[(n + 3) % len(CATEGORIES)], BY)
            people = [e for e in by_type["person"] if not view.entities[e].attributes.get("pseudonym")]
            for e in people[:1] or by_type["officer"][2:3]:
                write("add_subject", cw.add_subject, second.id, BY, entity_id=e)
                subject_kinds["person" if e in people else "officer"] += 1
        for doc_id, statement in chunk:
            if statement.kind != "intelligence":
                continue
            intel = write(
                "record_intelligence",
                cw.record_intelligence,
                f"intelligence in {statement.doc}",
                BY,
                document_id=doc_id,
                case_id=case.id,
                received_at=statement.date,
            )
            intel_ids.append((intel.id, case.id))
        if (n // DOCS_PER_CASE) % 4 == 1:
            owner = rng.choice(staff["outsider"])
            due = (date.fromisoformat(first.date) + timedelta(days=28)).isoformat()
            write("raise_action", cw.raise_action, "take a further statement", owner, due, BY, case_id=case.id)
    # About half the intelligence leads to an action (some on time, some late), a third of those done.
    actions = []
    for i, (intel_id, case_id) in enumerate(intel_ids):
        if i % 2:
            continue
        item = cw.book().intelligence[intel_id]
        due = (date.fromisoformat(item.received_at[:10]) + timedelta(days=rng.choice((3, 7, 30)))).isoformat()
        action = write(
            "raise_action",
            cw.raise_action,
            "act on the intelligence",
            rng.choice(staff["outsider"]),
            due,
            BY,
            intelligence_id=intel_id,
        )
        actions.append(action.id)
    for action_id in actions[::3]:
        write("complete_action", cw.complete_action, action_id, "done", BY)
    build_seconds = time.perf_counter() - start

    # Assignments, through the picker and around it: a conflicted candidate first, then the picker's first.
    start = time.perf_counter()
    verdicts: Counter[str] = Counter()
    picker_refused = 0
    conflicted = staff["namesake"] + staff["initial_only"] + staff["same_force"]
    for i, case_id in enumerate(case_ids[:assign_cases]):
        tried = conflicted[i % len(conflicted)]
        v = write("assign", cw.assign, case_id, tried, AssignmentRole.INTERVIEWER, BY)
        if v is not None:
            verdicts["allowed" if v.allowed else "refused"] += 1
        offered = write("assignable", cw.assignable, case_id) or []
        if offered:
            v = write("assign", cw.assign, case_id, offered[i % len(offered)].staff.id, AssignmentRole.INVESTIGATOR, BY)
            verdicts["picker_allowed" if v.allowed else "picker_refused"] += 1
            picker_refused += not v.allowed
    assign_seconds = time.perf_counter() - start
    counting.restore()

    rows = [r for r in write.rows if r[0] != "assignable"]
    events = write.events()
    out("build_seconds", build_seconds)
    out("build_assign_seconds", assign_seconds)
    out("build_writes", len(rows))
    out("build_events", events)
    out("build_book_replays", counting.calls)
    out("build_book_seconds", counting.seconds)
    out("build_book_share", counting.seconds / (build_seconds + assign_seconds))
    out("build_errors", sum(write.errors.values()))
    ops = sorted({r[0] for r in write.rows})
    for op in ops:
        secs = [r[3] for r in write.rows if r[0] == op]
        out(f"build_{op}_calls", len(secs))
        out(f"build_{op}_ms_median", statistics.median(secs) * 1e3)
    # Growth: ms per event for the first and last 100 events recorded by the plain writes
    # (one event each; assignments, which also compute links, are reported above).
    plain = [r for r in rows if r[0] not in ("assign",) and r[2] == 1]
    k = min(100, len(plain) // 2)
    if k:
        head = statistics.mean(r[3] for r in plain[:k])
        tail = statistics.mean(r[3] for r in plain[-k:])
        out("build_write_events_window", k)
        out("build_write_ms_first", head * 1e3)
        out("build_write_ms_last", tail * 1e3)
        out("build_write_events_before_first", plain[0][1])
        out("build_write_events_before_last", plain[-1][1])
        out("build_write_growth", tail / head)
        span = plain[-1][1] - plain[0][1]
        out("build_write_ms_per_1000_events", (tail - head) * 1e3 / span * 1000 if span else 0.0)
    return {
        "case_ids": case_ids,
        "staff": staff,
        "assigned_cases": case_ids[:assign_cases],
        "verdicts": verdicts,
        "picker_refused": picker_refused,
        "subject_kinds": subject_kinds,
    }


# -- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    inquiry = generate_inquiry(args.statements, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(inquiry, corpus)
        register, home = make_register(Path(tmp))
        t = time.perf_counter()
        outcomes = register.ingest(iter_files([corpus]), Submission("bench", "synthetic"), batch_size=256)
        out("statements", args.statements)
        out("ingest_seconds", time.perf_counter() - t)
        doc_of = {Path(o.source).name: o.document_id for o in outcomes if o.status == "recorded"}
        analysis = Analysis(register)
        t = time.perf_counter()
        analysis.extract()
        out("extract_seconds", time.perf_counter() - t)
        t = time.perf_counter()
        analysis.resolve()
        out("resolve_seconds", time.perf_counter() - t)

        cw = Casework(register)
        view = cw.entity_view()
        out("documents", len(doc_of))
        out("entities", len(view.entities))
        out("entity_mentions", len(view.all_mentions()))
        built = build(cw, inquiry, doc_of, rng, args.assign_cases)
        case_ids: list[str] = built["case_ids"]
        book = cw.book()
        out("cases", len(book.cases))
        out("parties", len(book.parties))
        out("allegations", len(book.allegations))
        out("subjects", len(book.subjects))
        for kind, count in sorted(built["subject_kinds"].items()):
            out(f"subjects_{kind}", count)
        known = set(N.FORCES)
        odd = Counter(s.force for s in book.subjects.values() if s.force and s.force not in known)
        out("subjects_force_not_a_force", sum(odd.values()))
        if odd:
            print("# subject forces that are not forces: " + ", ".join(f"{f} ({c})" for f, c in odd.most_common(5)))
        out("staff", len(book.staff))
        out("intelligence", len(book.intelligence))
        out("actions", len(book.actions))

        # Baselines: the least a replay of these events must do, over the same entries.
        entries = [data for _, data in cw.store.casework.casework_entries()]
        out("baseline_events", len(entries))
        json_samples = repeat(lambda _: [json.loads(e) for e in entries], 30, 2.0, least=10)
        sha_samples = repeat(lambda _: [hashlib.sha256(e).digest() for e in entries], 30, 2.0, least=10)
        baseline = statistics.median(json_samples)
        out("baseline_json_ms_median", baseline * 1e3)
        out("baseline_sha256_ms_median", statistics.median(sha_samples) * 1e3)
        out("baseline_json_us_per_event", baseline * 1e6 / len(entries))
        timings = Timings(baseline)
        reps, budget = args.reps, args.budget

        def case(i: int) -> str:
            return case_ids[(i * 7919) % len(case_ids)]

        measures: dict[str, Callable[[int], Any]] = {
            "book": lambda _: cw.book(),
            "links": lambda _: cw.links.pairs(),
            "accounts": lambda _: cw.accounts.grouped(),
            "subject_corroboration": lambda _: cw.accounts.subject_corroboration(),
            "unknown_proposals": lambda _: cw.unknown_proposals(),
            "report": lambda _: cw.report(NOW),
            "case_view": lambda i: case_json(cw, case(i)),
            "assignable": lambda i: cw.independence.assignable(case(i)),
        }
        results: dict[str, Any] = {}
        for name, fn in measures.items():
            results[name] = fn(0)  # warm (and kept for the counts below)
            timings.report(name, repeat(fn, reps, budget))

        # assign: the check and its record (two events). Only on cases that already have assignments,
        # since escalate's cost grows with the number of such cases (see escalate_assigned_cases).
        groups = built["staff"]
        investigators = [s for trio in zip(groups["outsider"], groups["same_force"], groups["namesake"]) for s in trio]
        assigned = built["assigned_cases"] or case_ids[:1]
        assign_verdicts: Counter[str] = Counter()

        def assign(i: int) -> None:
            try:
                v = cw.assign(
                    assigned[i % len(assigned)], investigators[i % len(investigators)], AssignmentRole.REVIEWER, BY
                )
            except CasetrailError:  # already the reviewer there (only with many --reps)
                assign_verdicts["already"] += 1
                return
            assign_verdicts["allowed" if v.allowed else "refused"] += 1

        timings.report("assign", repeat(assign, min(reps, len(case_ids)), budget))

        # escalate: the first run records every lapse; later runs find nothing new but still look.
        t = time.perf_counter()
        escalated = cw.escalate(BY, NOW)
        first = time.perf_counter() - t
        out("escalate_assigned_cases", len({a.case_id for a in cw.book().current_assignments()}))
        out("escalate_first_ms", first * 1e3)
        out("escalate_first_ratio", first / baseline)
        again: list[int] = []
        timings.report("escalate", repeat(lambda _: again.append(len(cw.escalate(BY, NOW))), reps, budget, least=1))
        t = time.perf_counter()
        alerts = cw.raise_alerts(BY)
        out("raise_alerts_ms", (time.perf_counter() - t) * 1e3)

        # -- correctness ------------------------------------------------------------------------
        book = cw.book()
        verdicts = built["verdicts"]
        out("assign_refused_build", verdicts["refused"])
        out("assign_allowed_build", verdicts["allowed"])
        out("assign_picker_allowed", verdicts["picker_allowed"])
        out("assign_picker_refused", verdicts["picker_refused"])
        out("assign_refused_measure", assign_verdicts["refused"])
        out("assign_allowed_measure", assign_verdicts["allowed"])
        out("refusals", len(book.refusals))
        out("assignments", len(book.assignments))
        out("checks", len(book.checks))
        refused_rules = Counter(c.rule.value for r in book.refusals for c in r.conflicts)
        for rule, count in sorted(refused_rules.items()):
            out(f"conflicts_{rule}", count)
        # The picker against the check, case by case: everyone offered passes, everyone else fails.
        offered_total = offered_bad = withheld_bad = 0
        for case_id in case_ids[: args.picker_cases]:
            context = cw.independence.context(book, case_id)
            offered = {c.staff.id for c in cw.independence.assignable(case_id)}
            for s in book.staff.values():
                if StaffRole.INVESTIGATOR not in s.roles and StaffRole.SUPERVISOR not in s.roles:
                    continue
                allowed = check(cw.independence.candidate(s), context).allowed
                offered_bad += s.id in offered and not allowed
                withheld_bad += s.id not in offered and allowed
            offered_total += len(offered)
        out("picker_cases_checked", min(args.picker_cases, len(case_ids)))
        out("picker_offered", offered_total)
        out("picker_offered_but_refused", offered_bad)
        out("picker_withheld_but_allowed", withheld_bad)
        out("links", len(results["links"]))
        out("links_possible_pairs", len(case_ids) * (len(case_ids) - 1) // 2)
        out("links_shared_entities", sum(len(l.shared) for l in results["links"]))
        out(
            "links_policy_kinds",
            sum(
                1
                for l in results["links"]
                if l.recorded
                or any(s.kind in ("subject", "person", "officer", "pseudonym", "vehicle", "phone") for s in l.shared)
            ),
        )
        accounts, proposals = results["accounts"]
        out("accounts", len(set(accounts.values())))
        out("account_proposals", len(proposals))
        out("corroborated_subjects", len(results["subject_corroboration"]))
        out("unknown_proposals", len(results["unknown_proposals"]))
        out("escalations_first", len(escalated))
        out("escalations_again_max", max(again) if again else 0)
        out("escalations", len(book.escalations))
        out("alerts", len(alerts))
        totals = cw.report(NOW).get("totals", {})
        for key in sorted(totals):
            if isinstance(totals[key], (int, float)):
                out(f"report_{key}", totals[key])

        t = time.perf_counter()
        report = verify_store(register.store, register.objects, NoteVerifier.from_text(home.verifier_key()))
        out("verify_seconds", time.perf_counter() - t)
        out("verify_entries", report.size)
        out("verify_ok", report.ok)
        for problem in report.problems[:5]:
            print(f"# verify problem: {problem}")
        checks = {
            "refusals_positive": len(book.refusals) > 0,
            "assignments_positive": len(book.assignments) > 0,
            "picker_consistent": offered_bad == 0 and withheld_bad == 0 and built["picker_refused"] == 0,
            "escalate_idempotent": not again or max(again) == 0,
            "verify_ok": report.ok,
        }
        out("checks_failed", ",".join(k for k, ok in checks.items() if not ok) or "none")

        if args.profile:
            fn = {**measures, "assign": assign, "escalate": lambda _: cw.escalate(BY, NOW)}[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            fn(1)
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(args.profile_lines)
            print(f"# cProfile of one {args.profile} call")
            print("\n".join("# " + line for line in text.getvalue().splitlines() if line.strip()))
        register.store.close()
        if not all(checks.values()):
            raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=None, help="documents in the inquiry (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reps", type=int, default=None, help="calls per measured operation (default 20)")
    parser.add_argument("--budget", type=float, default=None, help="seconds per measured operation (default 6)")
    parser.add_argument(
        "--assign-cases",
        type=int,
        default=5,
        help="cases given assignments while building; escalate rechecks each of them (default 5)",
    )
    parser.add_argument("--picker-cases", type=int, default=5, help="cases whose picker is checked against check()")
    parser.add_argument("--quick", action="store_true", help="200 statements, 5 calls per operation")
    parser.add_argument(
        "--profile",
        choices=(
            "book",
            "links",
            "accounts",
            "subject_corroboration",
            "unknown_proposals",
            "report",
            "case_view",
            "assignable",
            "assign",
            "escalate",
        ),
        help="also cProfile one call of this operation",
    )
    parser.add_argument("--profile-lines", type=int, default=25)
    args = parser.parse_args()
    args.statements = args.statements or (200 if args.quick else 1000)
    args.reps = args.reps or (5 if args.quick else 20)
    args.budget = args.budget if args.budget is not None else (3.0 if args.quick else 6.0)
    run(args)


if __name__ == "__main__":
    main()
