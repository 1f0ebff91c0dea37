"""Extraction and resolution through the CLI: entities, decisions that survive re-runs, FtM export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from followthemoney import model

from casetrail.synthetic.inquiry import generate_inquiry, write_corpus
from tests.conftest import CliRun


def entities(cli: CliRun) -> list[dict]:
    return json.loads(cli("entities", "--format", "json").stdout)


def find(rows: list[dict], name: str) -> list[dict]:
    return [e for e in rows if e["name"] == name or name in e["aliases"]]


@pytest.fixture
def news(cli: CliRun, news_dir: Path) -> list[dict]:
    cli("init")
    cli("ingest", news_dir)
    cli("analyse")
    return entities(cli)


def test_news_entities_name_who_a_reader_finds(news: list[dict]) -> None:
    for row in news:
        assert set(row) >= {"id", "type", "name", "aliases", "documents", "mention_count"}
        assert all(set(d) == {"id", "source_name"} for d in row["documents"])
    ali = [e for e in news if "Hassan Ali" in e["name"]]
    assert len(ali) == 1, [e["name"] for e in ali]
    assert ali[0]["type"] == "officer"
    assert {d["source_name"][:3] for d in ali[0]["documents"]} == {"000", "001"}
    jay = [e for e in news if "Alexis Jay" in e["name"]]
    assert len(jay) == 1, [(e["name"], e["aliases"]) for e in jay]
    assert {d["source_name"][:3] for d in jay[0]["documents"]} >= {"000", "001", "003", "004"}
    # "Jayne Senior" is not "Jay"
    senior = [e for e in news if e["name"] == "Jayne Senior"]
    assert senior and senior[0]["id"] != jay[0]["id"]
    assert "Jayne Senior" not in jay[0]["aliases"]
    syp = [e for e in news if e["type"] == "organisation" and e["name"] == "South Yorkshire Police"]
    assert len(syp) == 1 and len(syp[0]["documents"]) == 5


def test_reanalyse_is_stable_and_adds_no_mentions(cli: CliRun, news: list[dict]) -> None:
    before = cli("mentions", "--format", "json").stdout
    cli("analyse")
    assert cli("mentions", "--format", "json").stdout == before
    assert {e["id"] for e in entities(cli)} == {e["id"] for e in news}


def test_decisions_override_the_model_and_survive_reruns(cli: CliRun, tmp_path: Path) -> None:
    corpus = tmp_path / "inquiry"
    write_corpus(generate_inquiry(40, seed=3), corpus)
    cli("init")
    cli("ingest", corpus)
    cli("analyse")
    officers = sorted((e for e in entities(cli) if e["type"] == "officer"), key=lambda e: -len(e["documents"]))
    a, b = officers[0], officers[1]
    # confirm: two different officers merged on an investigator's say-so
    cli("decide", "confirm", a["id"], b["id"], "--reason", "same officer, per duty roster", "--author", "inv-1")
    cli("analyse")
    merged = [e for e in entities(cli) if {a["name"], b["name"]} <= {e["name"], *e["aliases"]}]
    assert len(merged) == 1
    cli("analyse")  # a re-run keeps the decision
    merged_again = [e for e in entities(cli) if {a["name"], b["name"]} <= {e["name"], *e["aliases"]}]
    assert len(merged_again) == 1 and merged_again[0]["id"] == merged[0]["id"]
    # reject, on records: newer than the confirm, so it wins, and a and b are apart again
    cli("decide", "reject", a["records"][0], b["records"][0], "--reason", "roster was wrong", "--author", "inv-2")
    cli("analyse")
    assert not [e for e in entities(cli) if {a["name"], b["name"]} <= {e["name"], *e["aliases"]}]
    # split: every record of a's entity stands alone
    current = next(e for e in entities(cli) if a["records"][0] in e["records"])
    assert len(current["records"]) > 1
    cli("decide", "split", current["id"], "--reason", "each account to be checked alone", "--author", "inv-2")
    cli("analyse")
    holders = [e for e in entities(cli) if set(e["records"]) & set(current["records"])]
    assert len(holders) == len(current["records"])
    # decisions are ledger events and verification covers them
    assert cli("verify").returncode == 0
    assert cli("log", "checkpoint").stdout.splitlines()[1] == str(40 + 3)  # documents + three decisions


def test_export_ftm_validates_with_followthemoney(cli: CliRun, news: list[dict], tmp_path: Path) -> None:
    out = tmp_path / "export.ftm.json"
    cli("export", "ftm", out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    ids = {row["id"] for row in rows}
    schemata = {row["schema"] for row in rows}
    assert {"Person", "Organization", "Mention"} <= schemata
    assert schemata & {"PlainText", "Document"}
    for row in rows:
        proxy = model.get_proxy(row, cleaned=False)
        for prop, values in row["properties"].items():
            prop_obj = proxy.schema.get(prop)
            assert prop_obj is not None, f"{row['schema']} has no property {prop}"
            for value in values:
                assert prop_obj.type.clean(value) is not None, (row["schema"], prop, value)
                if prop_obj.type.name == "entity":
                    assert value in ids, f"{row['schema']}.{prop} points at missing {value}"
    persons = [row for row in rows if row["schema"] == "Person"]
    assert any("Hassan Ali" in name for row in persons for name in row["properties"]["name"])
    assert not any("bodyText" in row["properties"] for row in rows), "text must be opt-in"
    # statements stay apart from conclusions: mentions point at documents and resolved entities
    mentions = [row for row in rows if row["schema"] == "Mention"]
    assert mentions and all(row["properties"]["document"] and row["properties"]["resolved"] for row in mentions)
