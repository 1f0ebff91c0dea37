"""CPIA disclosure schedules: every entry, change and judgement a ledger event, a view per viewer,
and a signed bundle that verifies offline. Fictional case and documents only."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from casetrail.casefile import verify_case_file
from casetrail.casework import Casework
from casetrail.casework.disclosure import judge_item, read_disclosure, schedule_item
from casetrail.errors import CaseworkError
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import StaffRole
from casetrail.model.disclosure import Schedule
from casetrail.model.event import Event, EventType
from casetrail.policy.access import Reach, Viewer
from casetrail.store.home import Home
from casetrail.views.disclosure import build_schedule_view, export_schedules
from casetrail.views.sight import Sight, operator_sight

INQUIRY = Path(__file__).parent / "casework" / "inquiry"
BY = "disclosure-officer"


@pytest.fixture()
def casework(tmp_path: Path) -> Casework:
    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/disclosure")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("statement-ash.txt", "statement-briar.txt", "article-ash.txt"):
        shutil.copy(INQUIRY / name, corpus / name)
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    work = Casework(register)
    case = work.open_case("Fictional complaint about a custody suite", BY)
    work.add_documents(case.id, [d.id for d, _, _ in work.documents()], BY)
    return work


def _documents(work: Casework) -> list[str]:
    return sorted(work.book().cases["C-0001"].documents)


def test_scheduling_and_judging_are_ledger_events_that_replay(casework: Casework) -> None:
    first, second, _ = _documents(casework)
    item = schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "Custody record, 3 pages", BY)
    assert item.id == "DI-0001" and item.current.schedule.form == "MG6C"
    sensitive = schedule_item(
        casework,
        "C-0001",
        second,
        Schedule.SENSITIVE,
        "Note of a call from a member of the public",
        BY,
        sensitivity_reason="Would reveal the identity of a person who gave information",
    )
    changed = schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "Custody record, 3 pages, with log", BY)
    assert changed.id == "DI-0001" and len(changed.revisions) == 2
    judged = judge_item(
        casework, sensitive.id, True, "Gives a different time of arrest from the officer's", "reviewing-lawyer"
    )
    assert judged.judgement is not None and judged.judgement.meets_test and judged.judgement.by == "reviewing-lawyer"

    kinds = [Event.from_leaf(d).type for _, d in casework.store.casework.casework_entries()]
    assert kinds.count(EventType.DISCLOSURE_ITEM_SCHEDULED) == 3 and kinds.count(EventType.DISCLOSURE_JUDGED) == 1
    again = read_disclosure(Casework(casework.register))  # a fresh reader, from the log alone
    assert [r.description for r in again.items["DI-0001"].revisions] == [
        "Custody record, 3 pages",
        "Custody record, 3 pages, with log",
    ]
    assert again.items["DI-0002"].current.sensitivity_reason.startswith("Would reveal")  # type: ignore[union-attr]


def test_what_a_schedule_entry_must_and_must_not_say(casework: Casework) -> None:
    first = _documents(casework)[0]
    with pytest.raises(CaseworkError, match="reason it is sensitive"):
        schedule_item(casework, "C-0001", first, Schedule.SENSITIVE, "A note", BY)
    with pytest.raises(CaseworkError, match="only sensitive items"):
        schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "A note", BY, sensitivity_reason="secret")
    with pytest.raises(CaseworkError, match="describe"):
        schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "  ", BY)
    with pytest.raises(CaseworkError, match="not a document of"):
        schedule_item(casework, "C-0001", "D-999999", Schedule.NON_SENSITIVE, "A note", BY)
    schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "A note", BY)
    with pytest.raises(CaseworkError, match="already scheduled"):
        schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "A note", BY)
    with pytest.raises(CaseworkError, match="reason"):
        judge_item(casework, "DI-0001", False, " ", BY)
    with pytest.raises(CaseworkError, match="no schedule item"):
        judge_item(casework, "DI-0042", False, "Nothing in it bears on the issues", BY)


def _sight(casework: Casework, roles: frozenset[StaffRole], documents: frozenset[str]) -> Sight:
    viewer = Viewer("u-1", roles, "S-0099")
    return Sight(viewer, Reach(frozenset({"C-0001"}), documents, frozenset(), frozenset()), "viewer")


def test_each_viewer_sees_only_the_items_they_may(casework: Casework) -> None:
    first, second, third = _documents(casework)
    schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "Custody record", BY)
    schedule_item(
        casework, "C-0001", second, Schedule.SENSITIVE, "Informant contact note", BY, sensitivity_reason="Source"
    )
    disclosure = read_disclosure(casework)

    full = build_schedule_view(operator_sight(casework, BY), casework, disclosure, "C-0001")
    assert [i.id for i in full.non_sensitive] == ["DI-0001"] and [i.id for i in full.sensitive] == ["DI-0002"]
    assert full.unscheduled == (third,) and full.withheld == 0

    # An investigator whose reach holds the first document only: the second's item is withheld, counted.
    narrow = build_schedule_view(
        _sight(casework, frozenset({StaffRole.INVESTIGATOR}), frozenset({first, second})),
        casework,
        disclosure,
        "C-0001",
    )
    assert [i.id for i in narrow.sensitive] == ["DI-0002"]  # may read both documents, and identities
    narrow = build_schedule_view(
        _sight(casework, frozenset({StaffRole.INVESTIGATOR}), frozenset({first})), casework, disclosure, "C-0001"
    )
    assert [i.id for i in narrow.non_sensitive] == ["DI-0001"] and narrow.sensitive == () and narrow.withheld == 1
    text = json.dumps([h.summary for h in narrow.history])
    assert "Informant" not in text and second not in text and third not in narrow.unscheduled

    # Reading the document is not enough for a sensitive item: the viewer must also be one who
    # may open the case's identifying details.
    class NoIdentity(Sight):
        def identity(self, case_id: str) -> bool:
            return False

    plain = _sight(casework, frozenset({StaffRole.INVESTIGATOR}), frozenset({first, second}))
    blind = build_schedule_view(NoIdentity(plain.viewer, plain.reach, "viewer"), casework, disclosure, "C-0001")
    assert blind.sensitive == () and blind.withheld == 1 and [i.id for i in blind.non_sensitive] == ["DI-0001"]


def test_the_bundle_verifies_offline_and_holds_no_material(casework: Casework, tmp_path: Path) -> None:
    first, second, _ = _documents(casework)
    schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "Custody record", BY)
    schedule_item(
        casework, "C-0001", second, Schedule.SENSITIVE, "Informant contact note", BY, sensitivity_reason="Source"
    )
    judge_item(casework, "DI-0001", False, "Consistent with the prosecution's account; nothing for the defence", BY)
    bundle = export_schedules(
        operator_sight(casework, BY), casework, read_disclosure(casework), "C-0001", tmp_path / "disclosure.zip"
    )
    report = verify_case_file(bundle, casework.log.signer.verifier_key())
    assert report.ok, report.problems
    assert report.events == 5 and report.documents == 0  # 2 entries + 1 judgement + 2 documents' leaves
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        schedules = json.loads(archive.read("case.json"))
    assert not any("original" in n for n in names)
    assert schedules["id"] == "C-0001" and schedules["non_sensitive"][0]["judgement"]["meets_test"] is False
    assert schedules["sensitive"][0]["sensitivity_reason"] == "Source"

    # Rewriting the history (here, what a judgement said) is caught without the store.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "case.json":
                case = json.loads(data)
                case["history"][0]["leaf_hash"] = case["history"][1]["leaf_hash"]
                data = json.dumps(case).encode()
            target.writestr(info, data)
    assert not verify_case_file(tampered, casework.log.signer.verifier_key()).ok


def test_disclosure_commands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(INQUIRY / "statement-ash.txt", corpus / "statement-ash.txt")
    cli("init", "--origin", "casetrail.test/disclosure-cli")
    cli("ingest", corpus)
    cli("case", "open", "Fictional complaint", "--by", BY)
    cli("case", "add-document", "C-0001", "D-000001", "--by", BY)
    made = cli("disclosure", "schedule", "C-0001", "D-000001", "--description", "Custody record", "--by", BY)
    assert "DI-0001 D-000001 on MG6C" in made.stdout
    refused = cli(
        "disclosure", "schedule", "C-0001", "D-000001", "--schedule", "sensitive", "--description", "x", check=False
    )
    assert refused.returncode != 0 and "reason" in refused.stdout + refused.stderr
    cli(
        "disclosure",
        "judge",
        "DI-0001",
        "--meets-test",
        "--reason",
        "Records an injury the officer did not mention",
        "--by",
        "reviewing-lawyer",
    )
    shown = json.loads(cli("disclosure", "show", "C-0001", "--format", "json").stdout)
    assert shown["non_sensitive"][0]["judgement"]["by"] == "reviewing-lawyer"
    out = tmp_path / "out"
    cli("disclosure", "export", "C-0001", "--out", out)
    key = cli("log", "key").stdout.strip()
    assert cli("verify-case-file", out / "disclosure-C-0001.zip", "--key", key).returncode == 0
    assert json.loads((out / "schedules-C-0001.json").read_text())["id"] == "C-0001"
    assert (out / "schedules-C-0001.pdf").read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(out / "disclosure-C-0001.zip") as archive:
        assert archive.read("schedules-C-0001.pdf") == (out / "schedules-C-0001.pdf").read_bytes()
    assert cli("verify").returncode == 0


def test_the_bundle_carries_the_schedules_as_pdf(casework: Casework, tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader

    first, second, _ = _documents(casework)
    schedule_item(casework, "C-0001", first, Schedule.NON_SENSITIVE, "Custody record, 3 pages", BY)
    schedule_item(
        casework,
        "C-0001",
        second,
        Schedule.SENSITIVE,
        "Note of a call from a member of the public",
        BY,
        sensitivity_reason="Would reveal the identity of a person who gave information",
    )
    judge_item(casework, "DI-0001", True, "Records an injury the officer did not mention", "reviewing-lawyer")
    bundle = export_schedules(
        operator_sight(casework, BY), casework, read_disclosure(casework), "C-0001", tmp_path / "disclosure.zip"
    )
    key = casework.log.signer.verifier_key()
    assert verify_case_file(bundle, key).ok
    with zipfile.ZipFile(bundle) as archive:
        pdf = archive.read("schedules-C-0001.pdf")
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["extras"] == ["schedules-C-0001.pdf"]
    assert "schedules-C-0001.pdf" in {m["name"] for m in manifest["members"]}
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    for said in (
        "MG6C",
        "MG6D",
        "Custody record, 3 pages",
        "Note of a call from a member of the public",
        "Reason for sensitivity",
        "Would reveal the identity of a person who gave information",
        "MEETS the test: Records an injury the officer did not mention",
        "not yet judged",
    ):
        assert said in text, said

    # The PDF is covered by the manifest's hashes: changed, or taken out of the extras, it is caught.
    for change in ("pdf", "extras"):
        tampered = tmp_path / f"tampered-{change}.zip"
        with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if change == "pdf" and info.filename.endswith(".pdf"):
                    data = data.replace(b"%%EOF", b"%%EOF\n% appended")
                if change == "extras" and info.filename == "manifest.json":
                    data = json.dumps({**json.loads(data), "extras": []}).encode()
                target.writestr(info, data)
        report = verify_case_file(tampered, key)
        assert not report.ok and any("schedules-C-0001.pdf" in p for p in report.problems), report.problems
