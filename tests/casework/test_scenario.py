"""A whole fictional inquiry through the CLI, as investigators and an overseer would run it.

Three complainants name the same officer under different spellings; a news article repeats one
of their accounts; an unknown sergeant is described in two cases; the accused officer is proposed
as interviewer and refused; intelligence goes stale and escalates. The ledger verifies at the end,
and so does the exported case file. Everyone here is fictional.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRun, open_db

INQUIRY = Path(__file__).parent / "inquiry"


def js(cli: CliRun, *args: str) -> Any:
    return json.loads(cli(*args, "--format", "json").stdout)


def made(result: Any, prefix: str) -> str:
    found = re.search(rf"\b({prefix}-\d+)\b", result.stdout)
    assert found, result.stdout
    return found.group(1)


@pytest.fixture
def inquiry(cli: CliRun) -> dict[str, str]:
    cli("init", "--origin", "casetrail.test/northmoor")
    ingest = cli("ingest", INQUIRY, "--submitted-by", "intake-officer", "--kind", "statement")
    docs = {
        Path(line.split()[-1]).stem: line.split()[1]
        for line in ingest.stdout.splitlines()
        if line.startswith("recorded")
    }
    assert len(docs) == 5, ingest.stdout
    cli("analyse")
    return docs


def test_a_whole_inquiry(cli: CliRun, inquiry: dict[str, str], tmp_path: Path) -> None:
    docs = inquiry
    # -- the officer named under three spellings resolves to one entity ---------------------
    officers = [e for e in js(cli, "entities") if e["type"] == "officer" and "Whitlock" in e["name"]]
    assert len(officers) == 1, officers
    whitlock = officers[0]
    assert {"Darren Whitlok", "Constable D. Whitlock"} <= set(whitlock["aliases"])
    named_in = {d["id"] for d in whitlock["documents"]}
    assert named_in == {docs["statement-ash"], docs["statement-briar"], docs["statement-cass"], docs["article-ash"]}

    # -- staff: the accused officer is in the pool, as he was in the force that investigated itself
    by = ("--by", "lead-investigator")
    s_whitlock = made(
        cli(
            "staff",
            "add",
            "Darren Whitlock",
            "--force",
            "Northmoor Police",
            "--unit",
            "Vice Unit",
            "--collar",
            "4471",
            *by,
        ),
        "S",
    )
    s_marsh = made(
        cli("staff", "add", "Helen Marsh", "--force", "Northmoor Police", "--unit", "Professional Standards", *by), "S"
    )
    s_pryce = made(cli("staff", "add", "Owen Pryce", "--force", "Independent Office for Police Conduct", *by), "S")
    s_calder = made(
        cli(
            "staff", "add", "Ruth Calder", "--force", "Independent Office for Police Conduct", "--role", "overseer", *by
        ),
        "S",
    )
    s_fenn = made(
        cli("staff", "add", "Gary Fenn", "--force", "NP", "--role", "overseer", "--role", "investigator", *by), "S"
    )

    # -- case 1: three complainants, held by pseudonym --------------------------------------
    c1 = made(cli("case", "open", "Complaints about an officer of Northmoor Police", *by), "C")
    parties = {
        name: made(cli("case", "add-party", c1, "--pseudonym", name, *by), "P") for name in ("Ash", "Briar", "Cass")
    }
    for name in ("ash", "briar", "cass"):
        cli("case", "add-document", c1, docs[f"statement-{name}"], "--given-by", parties[name.title()], *by)
    cli("case", "add-document", c1, docs["article-ash"], *by)
    a1 = made(
        cli(
            "allegation",
            "add",
            c1,
            "--category",
            "abuse_of_position_sexual",
            "--summary",
            "Sexual exploitation of children by a police constable",
            "--period-start",
            "2003",
            "--period-end",
            "2005",
            "--place",
            "Northmoor",
            *by,
        ),
        "AL",
    )
    cli("subject", "add", a1, "--entity", whitlock["id"], *by)
    a2 = made(
        cli(
            "allegation",
            "add",
            c1,
            "--category",
            "failure_to_record_crime",
            "--summary",
            "A report made at the front desk in 2004 was never recorded",
            *by,
        ),
        "AL",
    )
    cli(
        "subject",
        "add",
        a2,
        "--unknown",
        "--force",
        "Northmoor Police",
        "--role",
        "front desk officer",
        "--period-start",
        "2004",
        "--period-end",
        "2004",
        *by,
    )
    cli("allegation", "status", a1, "under_investigation", "--reason", "assessed: criminal and misconduct", *by)

    # -- cases 2 and 3 each describe an unknown sergeant ------------------------------------
    c2 = made(cli("case", "open", "Abbey Lane flat: witness account", *by), "C")
    dell = made(cli("case", "add-party", c2, "--role", "witness", "--pseudonym", "Dell", *by), "P")
    cli("case", "add-document", c2, docs["statement-dell"], "--given-by", dell, *by)
    a3 = made(cli("allegation", "add", c2, "--category", "corrupt_relationship", *by), "AL")
    cli(
        "subject",
        "add",
        a3,
        "--unknown",
        "--force",
        "Northmoor Police",
        "--rank",
        "Sergeant",
        "--vehicle",
        "dark blue Ford Mondeo, registration starting NM52",
        "--place",
        "Abbey Lane, Northmoor",
        "--period-start",
        "2004",
        "--physical",
        "tall, shaved head, scar on his cheek",
        *by,
    )
    c3 = made(cli("case", "open", "Intimidation of a complainant", *by), "C")
    cli("case", "add-document", c3, docs["statement-briar"], *by)
    a4 = made(cli("allegation", "add", c3, "--category", "intimidation", *by), "AL")
    cli(
        "subject",
        "add",
        a4,
        "--unknown",
        "--force",
        "NP",
        "--rank",
        "Sgt",
        "--vehicle",
        "Ford Mondeo, reg starting NM52",
        "--place",
        "Abbey Lane",
        "--period-start",
        "2004",
        "--period-end",
        "2004",
        "--physical",
        "tall with a shaved head and a scar on his left cheek",
        *by,
    )
    proposals = js(cli, "unknowns", "proposals")
    subjects_in = {
        s["id"]: c for c in (c2, c3) for a in js(cli, "case", "show", c)["allegations"] for s in a["subjects"]
    }
    pair = [p for p in proposals if {subjects_in.get(p["left"]), subjects_in.get(p["right"])} == {c2, c3}]
    assert pair, proposals
    assert any("scar" in r or "shaved" in r for r in pair[0]["reasons"]), pair[0]
    assert any("NM52" in r for r in pair[0]["reasons"]), pair[0]
    cli("unknowns", "decide", pair[0]["left"], pair[0]["right"], "--same", "--reason", "same car, same scar", *by)
    assert not [
        p for p in js(cli, "unknowns", "proposals") if {p["left"], p["right"]} == {pair[0]["left"], pair[0]["right"]}
    ]

    # -- the accused officer is proposed as interviewer and refused ------------------------
    refused = cli("assign", c1, s_whitlock, "--role", "interviewer", *by, check=False)
    assert refused.returncode == 1
    assert "party_in_case" in refused.stderr and "named_in_documents" in refused.stderr, refused.stderr
    assert "same_force" in refused.stderr
    # ... and never appears in the picker, by listing or by searching for him
    picker = {s["id"] for s in js(cli, "staff", "list", "--case", c1)}
    assert s_whitlock not in picker and s_marsh not in picker and s_fenn not in picker
    assert s_pryce in picker
    assert js(cli, "staff", "list", "--case", c1, "--search", "Whitlock") == []
    assert js(cli, "staff", "list", "--case", c1, "--search", "4471") == []
    assert [s["id"] for s in js(cli, "staff", "list", "--search", "Whitlock")] == [s_whitlock]  # no case: plain search

    # -- same force: refused, an overseer from that force may not waive, an independent one may
    assert cli("assign", c1, s_marsh, "--role", "reviewer", *by, check=False).returncode == 1
    not_independent = cli(
        "waiver", c1, s_marsh, "--rule", "same_force", "--reason", "PSD reviews", "--by", s_fenn, check=False
    )
    assert not_independent.returncode == 1 and "may not record waivers" in not_independent.stderr
    cannot = cli("waiver", c1, s_whitlock, "--rule", "party_in_case", "--reason", "x", "--by", s_calder, check=False)
    assert cannot.returncode != 0
    cli(
        "waiver",
        c1,
        s_marsh,
        "--rule",
        "same_force",
        "--reason",
        "records review only; no contact with subjects",
        "--by",
        s_calder,
    )
    assert "under waiver W-0001" in cli("assign", c1, s_marsh, "--role", "reviewer", *by).stdout
    assert cli("assign", c1, s_whitlock, "--role", "interviewer", *by, check=False).returncode == 1  # still refused
    cli("assign", c1, s_pryce, "--role", "investigator", *by)
    cli("assign", c1, s_pryce, "--role", "interviewer", *by)

    # -- corroboration: four documents, but the article repeats Ash's account ----------------
    found = js(cli, "corroboration", whitlock["id"])
    assert len(found["documents"]) == 4
    # Nothing recorded ties the article to Ash's statement yet; the proposer sees it, a human decides.
    assert found["independent"] == 4 and found["at_least"] == 3, found
    assert {docs["article-ash"], docs["statement-ash"]} in [{p["left"], p["right"]} for p in found["possibly_same"]]
    cli(
        "accounts",
        "decide",
        docs["article-ash"],
        docs["statement-ash"],
        "--same",
        "--reason",
        "the article quotes Ash's statement",
        *by,
    )
    found = js(cli, "corroboration", whitlock["id"])
    assert found["independent"] == 3 and found["at_least"] == 3
    assert [docs["article-ash"], docs["statement-ash"]] in [sorted(a) for a in found["accounts"]]
    alerts = js(cli, "alerts", "--threshold", "3", *by)
    assert [a["entity_id"] for a in alerts["new"]] == [whitlock["id"]]
    assert js(cli, "alerts", "--threshold", "3", *by)["new"] == []  # raised once

    # -- links between cases carry their evidence ---------------------------------------------
    links = js(cli, "case", "links", c1)
    to_c3 = [l for l in links if {l["left"], l["right"]} == {c1, c3}]
    assert to_c3 and any(s["entity_id"] == whitlock["id"] for s in to_c3[0]["shared"])
    evidence = [e for s in to_c3[0]["shared"] if s["entity_id"] == whitlock["id"] for e in s["evidence"]]
    assert {e["document_id"] for e in evidence} >= {docs["statement-briar"]}

    # -- intelligence goes stale and escalates ------------------------------------------------
    intel = made(
        cli(
            "intelligence",
            "record",
            "Caller: the silver Astra is seen at the Abbey Lane flat most nights",
            "--case",
            c1,
            "--received",
            "2026-10-01",
            "--days",
            "7",
            *by,
        ),
        "I",
    )
    action = made(
        cli(
            "action",
            "raise",
            "Trace the registered keeper of NM03 XKD",
            "--owner",
            s_pryce,
            "--due",
            "2026-10-20",
            "--case",
            c1,
            *by,
        ),
        "A",
    )
    assert js(cli, "action", "list", "--overdue", "--now", "2026-10-05") == []
    escalated = cli("oversight", "escalate", "--now", "2026-11-01", *by).stdout
    assert f"{intel}: intelligence_without_action" in escalated and f"{action}: action_overdue" in escalated
    assert "0 new escalations" in cli("oversight", "escalate", "--now", "2026-11-02", *by).stdout
    report = js(cli, "oversight", "report", "--now", "2026-11-01")
    assert report["intelligence"][0]["id"] == intel and report["intelligence"][0]["actions"] == []
    assert report["intelligence"][0]["escalations"]
    assert "Abbey Lane" in cli("oversight", "report", "--now", "2026-11-01").stdout
    cli("action", "complete", action, "--result", "keeper traced to a lease company", *by)

    # -- the case as the API shows it -------------------------------------------------------------
    case = js(cli, "case", "show", c1)
    assert [p["pseudonym"] for p in case["parties"]] == ["Ash", "Briar", "Cass"]
    assert [a["status"] for a in case["allegations"]] == ["under_investigation", "recorded"]
    assert [h["status"] for h in case["allegations"][0]["status_history"]] == ["recorded", "under_investigation"]
    subject = case["allegations"][0]["subjects"][0]
    assert subject["force"] == "Northmoor Police"
    assert subject["corroboration"][0]["independent"] == 3
    assert case["allegations"][1]["subjects"][0]["unknown"]["role"] == "front desk officer"
    assert {r["staff_id"] for r in case["refusals"]} == {s_whitlock, s_marsh}
    assert [(a["staff_id"], a["role"], a["waivers"]) for a in case["assignments"]] == [
        (s_marsh, "reviewer", ["W-0001"]),
        (s_pryce, "investigator", []),
        (s_pryce, "interviewer", []),
    ]
    assert sorted(e["item"] for e in case["escalations"]) == sorted([intel, action])
    types = [h["type"] for h in case["history"]]
    assert types.count("assignment.checked") == 6 and types.count("assignment.refused") == 3
    assert all(isinstance(h["leaf"], int) for h in case["history"])
    assert "Ash" in cli("case", "show", c1).stdout

    # -- the ledger verifies, and so does the exported case file ------------------------------
    assert "OK" in cli("verify").stdout
    bundle = tmp_path / "c1.zip"
    cli("case", "export", c1, bundle)
    key = cli("log", "key").stdout.strip()
    checked = cli("verify-case-file", bundle, "--key", key)
    assert checked.stdout.startswith("OK"), checked.stdout + checked.stderr
    with zipfile.ZipFile(bundle) as z:
        assert any(n.startswith("documents/") and n.endswith("receipt.json") for n in z.namelist())


def test_unindexed_casework_event_fails_verify(cli: CliRun, inquiry: dict[str, str]) -> None:
    case = made(cli("case", "open", "A case", "--by", "x"), "C")
    cli("allegation", "add", case, "--category", "neglect_of_duty", "--by", "x")
    conn = open_db(Path(cli.home))  # type: ignore[attr-defined]
    conn.execute("DELETE FROM casework_events WHERE type = 'allegation.recorded'")
    conn.commit()
    result = cli("verify", check=False)
    assert result.returncode == 1 and "is in the log but not indexed" in result.stderr + result.stdout


def test_bad_input_is_refused_with_a_reason_and_records_nothing(cli: CliRun, inquiry: dict[str, str]) -> None:
    before = int(re.search(r"\d+", cli("log", "checkpoint").stdout.splitlines()[1]).group())  # type: ignore[union-attr]
    bad = [
        ("allegation", "add", "C-0042", "--category", "assault", "--by", "x"),
        ("case", "open", "A case", "--by", ""),
        ("action", "raise", "Do it", "--owner", "S-0009", "--due", "2026-01-01", "--by", "x"),
        ("intelligence", "record", "tip", "--received", "last tuesday", "--by", "x"),
    ]
    for args in bad:
        result = cli(*args, check=False)
        assert result.returncode != 0 and "error:" in result.stderr, (args, result.stderr)
    case = made(cli("case", "open", "A case", "--by", "x"), "C")
    before += 1
    arson = cli("allegation", "add", case, "--category", "arson", "--by", "x", check=False)
    assert arson.returncode == 1 and "no allegation category 'arson'; choose one of: rape, " in arson.stderr
    after = int(re.search(r"\d+", cli("log", "checkpoint").stdout.splitlines()[1]).group())  # type: ignore[union-attr]
    assert after == before
