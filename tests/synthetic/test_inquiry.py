"""The synthetic inquiry: exact spans, determinism, hard cases present, varied text."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from casetrail.model import MentionType
from casetrail.synthetic.inquiry import (
    Inquiry,
    generate_inquiry,
    read_truth,
    write_corpus,
)


@pytest.fixture(scope="module")
def inquiry() -> Inquiry:
    return generate_inquiry(300, seed=7)


def test_spans_point_at_the_stated_text(inquiry: Inquiry) -> None:
    cast_ids = {m.id for m in inquiry.cast}
    for s in inquiry.statements:
        previous_end = -1
        for m in s.mentions:
            assert s.text[m.start : m.end] == m.text
            assert m.start >= previous_end, "mentions are in order and do not overlap"
            previous_end = m.end
            MentionType(m.type)
            assert m.cast_id is None or m.cast_id in cast_ids
            if m.type == "described_person":
                assert m.cast_id is None


def test_same_seed_same_inquiry_other_seed_other_inquiry() -> None:
    a, b, c = generate_inquiry(60, seed=3), generate_inquiry(60, seed=3), generate_inquiry(60, seed=4)
    assert a == b
    assert [s.text for s in a.statements] != [s.text for s in c.statements]


def test_people_share_surnames(inquiry: Inquiry) -> None:
    by_surname = collections.defaultdict(set)
    for m in inquiry.cast:
        if m.surname:
            by_surname[m.surname].add(m.full_name)
    hartleys = by_surname["Hartley"]
    assert {"John Hartley", "Sarah Hartley"} <= hartleys
    officers = {m.full_name for m in inquiry.cast if m.kind == "officer" and m.surname == "Hartley"}
    assert len(officers) >= 2
    # ... and both are actually written about.
    mentioned = {m.cast_id for s in inquiry.statements for m in s.mentions}
    assert all(c.id in mentioned for c in inquiry.cast if c.kind == "officer" and c.surname == "Hartley")


def test_mentions_vary(inquiry: Inquiry) -> None:
    types = collections.Counter(m.type for s in inquiry.statements for m in s.mentions)
    for t in (
        "person",
        "officer",
        "pseudonym",
        "described_person",
        "vehicle",
        "phone",
        "age",
        "period",
        "date",
        "collar_number",
        "place",
        "organisation",
    ):
        assert types[t] > 0, t
    texts = {m.text for s in inquiry.statements for m in s.mentions if m.cast_id == "C00001"}
    assert any(t.startswith("DS ") for t in texts)
    assert "Hartley" in texts or any(t.endswith(" Hartley") for t in texts)
    nicknames = [m for s in inquiry.statements for m in s.mentions if "nickname" in m.attributes]
    assert nicknames
    # Roughly one name mention in twenty carries a one-character typo.
    names = [m for s in inquiry.statements for m in s.mentions if m.type in ("person", "officer") and m.cast_id]
    member = {c.id: c for c in inquiry.cast}
    typos = 0
    for m in names:
        surname = member[m.cast_id].surname or ""
        words = m.text.replace(".", " ").replace(",", " ").split()
        if "nickname" not in m.attributes and not any(w.lower() == surname.lower() for w in words):
            typos += 1
    assert 0.01 < typos / len(names) < 0.12


def test_text_is_not_one_template(inquiry: Inquiry) -> None:
    sentences = collections.Counter(
        sentence for s in inquiry.statements for sentence in s.text.replace("\n\n", " ").split(". ")
    )
    assert len(sentences) / sum(sentences.values()) > 0.5
    openings = {s.text[:60] for s in inquiry.statements}
    assert len(openings) > 0.8 * len(inquiry.statements)
    paragraphs = collections.Counter(s.text.count("\n\n") for s in inquiry.statements)
    assert len(paragraphs) >= 4
    kinds = collections.Counter(s.kind for s in inquiry.statements)
    assert set(kinds) == {"statement", "complaint", "intelligence"}


def test_write_corpus_keeps_truth_outside(tmp_path: Path, inquiry: Inquiry) -> None:
    small = Inquiry(inquiry.seed, inquiry.cast, inquiry.statements[:40])
    out = tmp_path / "corpus"
    truth = tmp_path / "truth" / "truth.json"
    paths = write_corpus(small, out, truth_path=truth)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert {p.suffix for p in paths} == {".txt", ".md", ".html"}
    assert truth.exists()
    text_file = next(p for p in paths if p.suffix == ".txt")
    statement = next(s for s in small.statements if s.doc == text_file.name)
    assert text_file.read_text(encoding="utf-8") == statement.text + "\n"
    assert read_truth(truth) == small
    with pytest.raises(ValueError):
        write_corpus(small, out, truth_path=out / "truth.json")
    # Without truth_path, nothing but the documents is written.
    paths2 = write_corpus(small, tmp_path / "again")
    assert len(list((tmp_path / "again").iterdir())) == len(paths2)
